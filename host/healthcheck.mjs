// The image's HEALTHCHECK: exits 0 when this container's /dashboard-healthz answers 200 within 4 s. The probe path
// answers at the root whatever HIVE_BASE_PATH is (host/base-path.mjs).
import http from "node:http";

const listen = process.env.HIVE_HOST || "0.0.0.0";
const host = listen === "0.0.0.0" || listen === "::" ? "127.0.0.1" : listen;
const request = http.get({ host, port: Number(process.env.PORT || 3000), path: "/dashboard-healthz", timeout: 4_000 }, (response) => {
  response.resume();
  process.exit(response.statusCode === 200 ? 0 : 1);
});
request.on("timeout", () => request.destroy(new Error("timed out")));
request.on("error", (error) => {
  process.stderr.write(`healthcheck: ${error.message}\n`);
  process.exit(1);
});
