// Preloaded into a bench server (`node --require`) when the bench asks for it: every second it writes the process's
// own memory figures and live handle count to $BENCH_PROBE_FILE, which the bench reads. No product code knows of it.
const fs = require("node:fs");

const file = process.env.BENCH_PROBE_FILE;
if (file) {
  const write = () => {
    const memory = process.memoryUsage();
    const resources = process.getActiveResourcesInfo();
    const figures = { at: Date.now(), rss: memory.rss, heapUsed: memory.heapUsed, heapTotal: memory.heapTotal, external: memory.external, arrayBuffers: memory.arrayBuffers, handles: resources.length };
    // Written aside and renamed, so a reader never sees half a file.
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(figures));
    fs.renameSync(`${file}.tmp`, file);
  };
  write();
  setInterval(write, 1000).unref();
}
