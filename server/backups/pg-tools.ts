import "server-only";
import { spawn } from "node:child_process";

/**
 * Runs pg_dump or pg_restore (from PATH) against a postgres:// URL. The password goes to the tool in PGPASSWORD,
 * not on its command line, where every user of the machine could read it.
 */
export function runPgTool(tool: "pg_dump" | "pg_restore", args: string[], databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const password = decodeURIComponent(url.password);
  url.password = "";
  const env = { ...process.env, ...(password ? { PGPASSWORD: password } : {}) };
  return new Promise((resolve, reject) => {
    const child = spawn(tool, [...args, `--dbname=${url.toString()}`], { env, stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", (error: NodeJS.ErrnoException) =>
      reject(new Error(error.code === "ENOENT" ? `${tool} not found on PATH (Debian: apt-get install postgresql-client)` : error.message)),
    );
    child.on("exit", (code, signal) => (code === 0 ? resolve() : reject(new Error(`${tool} failed (${signal ?? `exit ${code}`})`))));
  });
}
