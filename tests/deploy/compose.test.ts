import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "@/server/config";
import { agentPrefix, cleanupAgents, eventually } from "../helpers/docker";
import { type EngineProxy, startEngineProxy } from "../helpers/engine-proxy";
import { operatorFetch, ROOT, type ServerProcess, spawnAgent, startServer, tempDir } from "../helpers/server";

// The Compose file is validated by Debian's docker-compose (`config` parses, validates and interpolates it: a
// compose-file tool, not the docker CLI) with .env.example filled in, and its contracts are checked on the result.
const COMPOSE = path.join(ROOT, "deploy", "compose");
type Service = {
  image: string;
  command?: string[];
  restart?: string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: (string | { type: string; source: string; target: string; read_only?: boolean })[];
  read_only?: boolean;
  cap_drop?: string[];
  cap_add?: string[];
  security_opt?: string[];
  privileged?: boolean;
  network_mode?: string;
  pid?: string;
  devices?: unknown[];
  tmpfs?: string[];
  ports?: unknown[];
};

/** The Engine API sections the socket proxy (tecnativa/docker-socket-proxy) can allow, by the path they cover. */
const SECTIONS: [string, RegExp][] = [
  ["PING", /^\/_ping/],
  ["VERSION", /^\/version/],
  ["INFO", /^\/info/],
  ["EVENTS", /^\/events/],
  ["CONTAINERS", /^\/containers/],
  ["IMAGES", /^\/images/],
  ["VOLUMES", /^\/volumes/],
  ["NETWORKS", /^\/networks/],
  ["EXEC", /^\/exec/],
  ["BUILD", /^\/build/],
  ["COMMIT", /^\/commit/],
  ["SWARM", /^\/swarm/],
  ["SERVICES", /^\/services/],
  ["TASKS", /^\/tasks/],
  ["NODES", /^\/nodes/],
  ["SECRETS", /^\/secrets/],
  ["CONFIGS", /^\/configs/],
  ["PLUGINS", /^\/plugins/],
  ["SYSTEM", /^\/system/],
  ["AUTH", /^\/auth/],
  ["DISTRIBUTION", /^\/distribution/],
  ["SESSION", /^\/session/],
  ["GRPC", /^\/grpc/],
];

function filledEnvFile(): string {
  const file = path.join(tempDir("hive-compose-"), ".env");
  const filled = fs
    .readFileSync(path.join(COMPOSE, ".env.example"), "utf8")
    .replace(/^POSTGRES_PASSWORD=$/m, "POSTGRES_PASSWORD=compose-test-password")
    .replace(/^HIVE_OPERATOR_TOKEN=$/m, "HIVE_OPERATOR_TOKEN=hive_op_compose-test-token-0123")
    .replace(/^HIVE_SESSION_SECRET=$/m, "HIVE_SESSION_SECRET=compose-test-session-secret-0123456789");
  fs.writeFileSync(file, filled);
  return file;
}

function composeConfig(envFile: string) {
  return spawnSync("docker-compose", ["--project-directory", COMPOSE, "--env-file", envFile, "-f", path.join(COMPOSE, "compose.yaml"), "config"], {
    encoding: "utf8",
  });
}

function shortVolume(text: string) {
  const [source = "", target = "", mode = "rw"] = text.split(":");
  return { type: source.startsWith("/") ? "bind" : "volume", source, target, read_only: mode.split(",").includes("ro") };
}

let services: Record<string, Service>;
let volumes: Record<string, unknown>;

beforeAll(() => {
  const result = composeConfig(filledEnvFile());
  expect(result.error, "docker-compose (Debian's package) must be installed: scripts/provision.sh does it").toBeUndefined();
  expect(result.status, result.stderr).toBe(0);
  const config = parse(result.stdout);
  services = config.services;
  volumes = config.volumes;
});

describe("Docker Compose file", () => {
  it("is valid, and refuses to start without the secrets .env must set", () => {
    expect(Object.keys(services).sort()).toEqual(["dashboard", "engine-proxy", "migrate", "postgres"]);
    const empty = path.join(tempDir("hive-compose-"), ".env");
    fs.writeFileSync(empty, "");
    const refused = composeConfig(empty);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/POSTGRES_PASSWORD|HIVE_PUBLIC_URL|HIVE_OPERATOR_TOKEN/);
  });

  it("starts the dashboard only after PostgreSQL is healthy (pg_isready) and the one-shot migration has completed", () => {
    const { postgres, migrate, dashboard } = services as Record<string, Service>;
    expect(postgres!.healthcheck!.test[0]).toBe("CMD");
    expect(postgres!.healthcheck!.test[1]).toBe("pg_isready");
    expect(migrate!.command).toEqual(["npm", "run", "db:migrate"]);
    expect(migrate!.restart).toBe("no");
    expect(migrate!.image).toBe(dashboard!.image);
    expect(migrate!.depends_on).toEqual({ postgres: { condition: "service_healthy" } });
    expect(dashboard!.depends_on).toMatchObject({
      postgres: { condition: "service_healthy" },
      migrate: { condition: "service_completed_successfully" },
    });
    expect(migrate!.environment!.DATABASE_URL).toBe(dashboard!.environment!.DATABASE_URL);
  });

  it("restarts every long-running service always, keeps data in named volumes, and runs nothing privileged", () => {
    for (const name of ["postgres", "engine-proxy", "dashboard"]) expect(services[name]!.restart, name).toBe("always");
    expect(Object.keys(volumes).sort()).toEqual(["backups", "pgdata"]);
    for (const [name, service] of Object.entries(services)) {
      expect(service.privileged ?? false, name).toBe(false);
      expect(service.cap_add ?? [], name).toEqual([]);
      expect(service.devices ?? [], name).toEqual([]);
      expect(service.network_mode ?? "", name).not.toBe("host");
      expect(service.pid ?? "", name).not.toBe("host");
      // Our image and the proxy run on a read-only root (PostgreSQL's image writes its run directory).
      if (name !== "postgres") expect(service.read_only, `${name} read-only root`).toBe(true);
      for (const entry of service.volumes ?? []) {
        // docker-compose 1.x prints the short form (source:target:mode)
        const volume = typeof entry === "string" ? shortVolume(entry) : entry;
        if (volume.type === "bind") {
          // The one bind mount: the engine's socket, read-only, for the proxy alone.
          expect([name, volume.source, volume.target, volume.read_only]).toEqual(["engine-proxy", "/var/run/docker.sock", "/var/run/docker.sock", true]);
        } else expect(Object.keys(volumes), `${name} ${volume.source}`).toContain(volume.source);
      }
    }
    const { dashboard, migrate } = services as Record<string, Service>;
    for (const service of [dashboard!, migrate!]) {
      expect(service.cap_drop).toEqual(["ALL"]);
      expect(service.security_opt).toContain("no-new-privileges:true");
    }
    expect(dashboard!.tmpfs).toEqual(["/tmp"]);
    expect(dashboard!.environment!.DOCKER_HOST).toBe("tcp://engine-proxy:2375");
  });

  it("gives the dashboard a configuration it accepts, named only in the README's configuration table", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const environment = services.dashboard!.environment!;
    for (const name of Object.keys(environment)) expect(readme, name).toContain(`| \`${name}\` |`);
    const config = parseConfig(environment);
    expect(config.databaseUrl).toMatch(/^postgres:\/\/hive:.+@postgres:5432\/hive$/);
    expect(config.basePath).toBe("/hive");
  });
});

describe("the socket proxy's rules", () => {
  const prefix = agentPrefix();
  let proxy: EngineProxy;
  let server: ServerProcess;

  beforeAll(async () => {
    proxy = await startEngineProxy();
    server = await startServer({ DOCKER_HOST: proxy.dockerHost });
  });
  afterAll(async () => {
    await server?.stop();
    await proxy?.close();
    await cleanupAgents(prefix);
  });

  it("allow exactly the Engine API sections the dashboard calls (and writes), nothing else", async () => {
    // Everything the dashboard does with the engine: spawn on a network, each lifecycle action, logs, rebuild,
    // destroy (the volume kept), the tombstone's volume read, then purge.
    const name = `${prefix}-proxy`;
    await spawnAgent(server, name, { network: "bridge" });
    for (const action of ["stop", "start", "restart", "kill", "start", "rebuild"]) {
      const response = await operatorFetch(server, `/api/agents/${name}/${action}`, { method: "POST", body: "{}" });
      expect(response.status, `${action}: ${await response.clone().text()}`).toBe(200);
    }
    expect((await operatorFetch(server, `/api/agents/${name}/logs?lines=10`)).status).toBe(200);
    expect((await operatorFetch(server, `/api/agents/${name}`, { method: "DELETE" })).status).toBe(200);
    await eventually(async () => (await (await operatorFetch(server, "/api/state")).json()).tombstones?.some((entry: { name: string }) => entry.name === name), "the tombstone");
    expect((await operatorFetch(server, `/api/tombstones/${name}`, { method: "DELETE" })).status).toBe(200);

    const used = new Set<string>();
    let writes = false;
    for (const line of proxy.requests()) {
      const [method, target] = line.split(" ") as [string, string];
      const route = target.replace(/^\/v[\d.]+/, "");
      const section = SECTIONS.find(([, pattern]) => pattern.test(route))?.[0];
      expect(section, `an engine call outside every known section: ${line}`).toBeDefined();
      used.add(section!);
      if (method !== "GET" && method !== "HEAD") writes = true;
    }
    const environment = services["engine-proxy"]!.environment!;
    const allowed = SECTIONS.map(([section]) => section).filter((section) => String(environment[section]) === "1");
    expect(allowed.sort()).toEqual([...used].sort());
    expect(String(environment.POST)).toBe(writes ? "1" : "0");
    // Every other section is refused in so many words.
    for (const [section] of SECTIONS) expect(environment[section], section).toBeDefined();
  });
});
