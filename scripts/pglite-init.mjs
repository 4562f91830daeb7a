// Creates a PGlite data directory (initdb) in a short-lived process of its own: initdb grows the WebAssembly
// heap to ~800 MB, which a long-running server would otherwise keep for its whole life.
import { PGlite } from "@electric-sql/pglite";

const dataDir = process.argv[2];
if (!dataDir) {
  process.stderr.write("usage: node scripts/pglite-init.mjs <data dir>\n");
  process.exit(2);
}
const db = await PGlite.create({ dataDir });
await db.close();
