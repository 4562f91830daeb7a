import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "../../tests/helpers/ports";
import { createMigratedDatabase, type PostgresCluster, startPostgres } from "../../tests/helpers/postgres";
import { type ServerProcess, startServers } from "../../tests/helpers/server";

export const NGINX = process.env.HIVE_NGINX || "/usr/sbin/nginx";
export const PROXY_USER = "ingress-operator";

/**
 * Two dashboard replicas on one PostgreSQL behind a real nginx on loopback, serving the dashboard under `basePath`
 * ("" for a host's root). Two nginx servers: `tokenUrl` passes requests through (operators log in with the token;
 * agents call the API there), `proxyUrl` injects an auth proxy's identity header. Each fronts its own replica, so a
 * page behind one sees what an action through the other did only by way of the database.
 */
export type IngressStack = {
  tokenUrl: string;
  proxyUrl: string;
  replicas: { token: ServerProcess; proxy: ServerProcess };
  /** nginx's access log lines (method, path, status). */
  accessLog(): { method: string; path: string; status: number }[];
  /** Stops nginx (every connection through it is cut) and starts it again on the same ports. */
  restartNginx(): Promise<void>;
  stop(): Promise<void>;
};

function nginxConfig(dir: string, basePath: string, ports: { token: number; proxy: number; replicaToken: number; replicaProxy: number }) {
  // Buffering stays at nginx's default (on): the event streams' `X-Accel-Buffering: no` must be what turns it off.
  // A 20 s read timeout: shorter than a real deployment's, so a quiet stream survives it only by its heartbeats.
  const proxied = (upstream: number, identity: string) => `
      proxy_pass http://127.0.0.1:${upstream};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-User "${identity}";
      proxy_read_timeout 20s;`;
  const locations = (upstream: number, identity: string) =>
    basePath
      ? `
    location = ${basePath} {${proxied(upstream, identity)}
    }
    location ${basePath}/ {${proxied(upstream, identity)}
    }
    location / {
      return 404;
    }`
      : `
    location / {${proxied(upstream, identity)}
    }`;
  return `
worker_processes 1;
daemon off;
user root;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 512; }
http {
  log_format plain '$request_method $uri $status';
  access_log ${dir}/access.log plain;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${ports.token};
    # Identities come only from the single-sign-on server below: one sent by a client is dropped here.
    ${locations(ports.replicaToken, "")}
  }
  server {
    listen 127.0.0.1:${ports.proxy};
    ${locations(ports.replicaProxy, PROXY_USER)}
  }
}
`;
}

async function startNginx(dir: string, config: string): Promise<ChildProcess> {
  const file = path.join(dir, "nginx.conf");
  fs.writeFileSync(file, config);
  const child = spawn(NGINX, ["-p", dir, "-c", file], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  // Ready once it has written its pid file (it has bound its ports by then).
  for (let waited = 0; !fs.existsSync(path.join(dir, "nginx.pid")); waited += 50) {
    if (child.exitCode !== null || waited > 15_000) throw new Error(`nginx did not start: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return child;
}

async function stopNginx(child: ChildProcess, dir: string) {
  if (child.exitCode === null) {
    child.kill("SIGTERM"); // fast shutdown: every open connection is cut
    await new Promise((resolve) => child.once("exit", resolve));
  }
  fs.rmSync(path.join(dir, "nginx.pid"), { force: true });
}

export async function startIngressStack(basePath: string): Promise<IngressStack> {
  if (!fs.existsSync(NGINX)) throw new Error(`nginx not found at ${NGINX} (apt-get install nginx-light; scripts/provision.sh does)`);
  const cluster: PostgresCluster = await startPostgres();
  const started: ServerProcess[] = [];
  let nginx: ChildProcess | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hive-nginx-"));
  try {
    const databaseUrl = await createMigratedDatabase(cluster.url());
    const listen = { token: await freePort(), proxy: await freePort() };
    const tokenUrl = `http://127.0.0.1:${listen.token}${basePath}`;
    const proxyUrl = `http://127.0.0.1:${listen.proxy}${basePath}`;
    const shared = { DATABASE_URL: databaseUrl, HIVE_BASE_PATH: basePath, HIVE_TRUSTED_PROXIES: "127.0.0.1", HIVE_PUBLIC_API_URL: tokenUrl };
    const [token, proxy] = await startServers(
      { ...shared, HIVE_PUBLIC_URL: tokenUrl },
      { ...shared, HIVE_PUBLIC_URL: proxyUrl, HIVE_AUTH_MODE: "proxy" },
    );
    started.push(token, proxy);
    const config = nginxConfig(dir, basePath, { ...listen, replicaToken: token.port, replicaProxy: proxy.port });
    nginx = await startNginx(dir, config);
    return {
      tokenUrl,
      proxyUrl,
      replicas: { token, proxy },
      accessLog: () =>
        fs
          .readFileSync(path.join(dir, "access.log"), "utf8")
          .split("\n")
          .filter(Boolean)
          .map((line) => {
            const [method = "", uri = "", status = "0"] = line.split(" ");
            return { method, path: uri, status: Number(status) };
          }),
      async restartNginx() {
        await stopNginx(nginx!, dir);
        nginx = await startNginx(dir, config);
      },
      async stop() {
        if (nginx) await stopNginx(nginx, dir);
        await Promise.all(started.map((server) => server.stop()));
        cluster.destroy();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    if (nginx) await stopNginx(nginx, dir);
    await Promise.all(started.map((server) => server.stop()));
    cluster.destroy();
    throw error;
  }
}
