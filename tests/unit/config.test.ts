import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "@/server/config";

describe("configuration", () => {
  it("fills every default from an empty environment", () => {
    expect(parseConfig({})).toEqual({
      port: 3000,
      host: "0.0.0.0",
      dataDir: path.resolve(".data"),
      basePath: "",
      databaseUrl: undefined,
      publicUrl: "http://localhost:3000",
      publicOrigins: ["http://localhost:3000", "http://127.0.0.1:3000", "http://[::1]:3000"],
      publicApiUrl: "http://127.0.0.1:3000",
      auth: {
        mode: "token",
        operatorToken: undefined,
        sessionSecret: undefined,
        sessionTtlMs: 168 * 3_600_000,
        proxyUserHeader: "x-forwarded-user",
        trustedProxies: [],
      },
      runtime: {
        driver: { name: "docker", settings: { dockerHost: "unix:///var/run/docker.sock", restartPolicy: "no" } },
        optional: true,
        retryBaseMs: 500,
        retryMaxMs: 30_000,
        retryJitterMs: 250,
        probeIntervalMs: 30_000,
        maxRetries: 0,
        timeoutMs: 3_000,
        actionTimeoutMs: 60_000,
      },
      tombstoneRetentionDays: 0,
      uptimeRetentionDays: 90,
      webhooks: { timeoutMs: 10_000, retryBaseMs: 5_000, maxAttempts: 8 },
      logFollowsPerClient: 20,
      shutdownTimeoutMs: 10_000,
      backup: { dir: path.resolve("backups"), retentionDays: 7, serverUrl: "http://127.0.0.1:3000" },
      logLevel: "info",
    });
  });

  it("derives the public URLs from PORT and validates the shutdown deadline", () => {
    expect(parseConfig({ PORT: "8080" })).toMatchObject({ publicUrl: "http://localhost:8080", publicApiUrl: "http://127.0.0.1:8080" });
    // A configured public URL is the one origin state changes may come from (its path is no part of the origin).
    expect(parseConfig({ HIVE_PUBLIC_URL: "https://Ops.Example.com:443/hive/", HIVE_BASE_PATH: "/hive" })).toMatchObject({
      publicUrl: "https://Ops.Example.com:443/hive",
      publicOrigins: ["https://ops.example.com"],
    });
    expect(parseConfig({ HIVE_SHUTDOWN_TIMEOUT_MS: "2500" }).shutdownTimeoutMs).toBe(2_500);
    expect(() => parseConfig({ HIVE_SHUTDOWN_TIMEOUT_MS: "soon" })).toThrow(/HIVE_SHUTDOWN_TIMEOUT_MS: must be an integer/);
    expect(() => parseConfig({ HIVE_SHUTDOWN_TIMEOUT_MS: "0" })).toThrow(/HIVE_SHUTDOWN_TIMEOUT_MS: must be at least 100/);
  });

  it("names every bad variable at once, with the reason", () => {
    let caught: unknown;
    try {
      parseConfig({
        PORT: "eighty",
        HIVE_RUNTIME_OPTIONAL: "maybe",
        DOCKER_HOST: "ftp://engine",
        HIVE_RUNTIME_RETRY_JITTER_MS: "-1",
        DATABASE_URL: "mysql://nope",
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        "PORT: must be an integer",
        "HIVE_RUNTIME_OPTIONAL: must be true or false",
        expect.stringMatching(/^DOCKER_HOST: must look like unix:/),
        "HIVE_RUNTIME_RETRY_JITTER_MS: must be at least 0",
        "DATABASE_URL: must be a postgres:// or postgresql:// URL",
      ]),
    );
    expect((caught as Error).message).toMatch(/^Invalid configuration:\n {2}- /);
  });

  it("never repeats a secret's value in its complaint", () => {
    expect(() => parseConfig({ HIVE_OPERATOR_TOKEN: "short-secret" })).toThrow(/HIVE_OPERATOR_TOKEN: must be at least 16/);
    try {
      parseConfig({ HIVE_OPERATOR_TOKEN: "short-secret" });
    } catch (error) {
      expect((error as Error).message).not.toContain("short-secret");
    }
  });

  it("requires trusted proxy addresses in proxy mode and validates them", () => {
    expect(() => parseConfig({ HIVE_AUTH_MODE: "proxy" })).toThrow(/HIVE_TRUSTED_PROXIES: is required/);
    expect(() => parseConfig({ HIVE_AUTH_MODE: "proxy", HIVE_TRUSTED_PROXIES: "10.0.0.0/99" })).toThrow(/not an IP address or CIDR/);
    const config = parseConfig({ HIVE_AUTH_MODE: "proxy", HIVE_TRUSTED_PROXIES: "127.0.0.1, 10.0.0.0/8,::1" });
    expect(config.auth.trustedProxies).toEqual(["127.0.0.1", "10.0.0.0/8", "::1"]);
  });

  it("refuses a base retry delay above the maximum", () => {
    expect(() => parseConfig({ HIVE_RUNTIME_RETRY_BASE_MS: "5000", HIVE_RUNTIME_RETRY_MAX_MS: "1000" })).toThrow(
      /HIVE_RUNTIME_RETRY_BASE_MS: must not exceed HIVE_RUNTIME_RETRY_MAX_MS/,
    );
  });

  it("selects the engine driver with HIVE_RUNTIME and validates that driver's own settings", () => {
    expect(parseConfig({ HIVE_RUNTIME: "docker", DOCKER_HOST: "tcp://engine:2375", HIVE_DOCKER_RESTART_POLICY: "on-failure" }).runtime.driver).toEqual({
      name: "docker",
      settings: { dockerHost: "tcp://engine:2375", restartPolicy: "on-failure" },
    });
    expect(() => parseConfig({ HIVE_RUNTIME: "kettle" })).toThrow(/HIVE_RUNTIME: must be one of docker/);
    expect(() => parseConfig({ HIVE_DOCKER_RESTART_POLICY: "always" })).toThrow(/HIVE_DOCKER_RESTART_POLICY: must be "no", "on-failure" or "unless-stopped"/);
  });

  it("selects the Swarm driver, which takes a manager and the engines of the other nodes, and names a bad entry", () => {
    expect(
      parseConfig({ HIVE_RUNTIME: "swarm", DOCKER_HOST: "unix:///run/manager.sock", HIVE_SWARM_NODE_ENDPOINTS: "node-2=unix:///run/n2.sock, node-3=tcp://10.0.0.3:2375" }).runtime.driver,
    ).toEqual({
      name: "swarm",
      settings: { dockerHost: "unix:///run/manager.sock", nodeEndpoints: { "node-2": "unix:///run/n2.sock", "node-3": "tcp://10.0.0.3:2375" } },
    });
    expect(parseConfig({ HIVE_RUNTIME: "swarm" }).runtime.driver).toEqual({ name: "swarm", settings: { dockerHost: "unix:///var/run/docker.sock", nodeEndpoints: {} } });
    expect(() => parseConfig({ HIVE_RUNTIME: "swarm", HIVE_SWARM_NODE_ENDPOINTS: "node-2=ftp://x" })).toThrow(/HIVE_SWARM_NODE_ENDPOINTS: entry 1 \("node-2=ftp:\/\/x"\) must be node=endpoint/);
    expect(() => parseConfig({ HIVE_RUNTIME: "swarm", HIVE_SWARM_NODE_ENDPOINTS: "a=unix:///x,a=unix:///y" })).toThrow(/HIVE_SWARM_NODE_ENDPOINTS: node a is named twice/);
  });

  it("treats empty strings as unset", () => {
    const config = parseConfig({ PORT: "", DOCKER_HOST: "", HIVE_RUNTIME_OPTIONAL: "" });
    expect(config.port).toBe(3000);
    expect(config.runtime.optional).toBe(true);
  });

  it("takes a base path, normalised, and puts the default public URLs under it", () => {
    const config = parseConfig({ HIVE_BASE_PATH: "/ops/hive/", PORT: "4000" });
    expect(config.basePath).toBe("/ops/hive");
    expect(config.publicUrl).toBe("http://localhost:4000/ops/hive");
    expect(config.publicApiUrl).toBe("http://127.0.0.1:4000/ops/hive");
    expect(config.backup.serverUrl).toBe("http://127.0.0.1:4000/ops/hive");
    expect(parseConfig({}).basePath).toBe("");
    for (const bad of ["hive", "/hive/../x", "/./hive", "/hi ve", "/hive?x", "/a//b"]) {
      expect(() => parseConfig({ HIVE_BASE_PATH: bad }), bad).toThrow(/HIVE_BASE_PATH: must be a path prefix/);
    }
  });

  it("requires the public URLs to carry exactly the base path", () => {
    expect(() => parseConfig({ HIVE_BASE_PATH: "/hive", HIVE_PUBLIC_URL: "https://ops.example.com" })).toThrow(
      /HIVE_PUBLIC_URL: must end with the base path \/hive/,
    );
    expect(() => parseConfig({ HIVE_PUBLIC_API_URL: "http://hive:3000/hive" })).toThrow(/HIVE_PUBLIC_API_URL: must not have a path/);
    expect(() => parseConfig({ HIVE_PUBLIC_URL: "ftp://ops.example.com" })).toThrow(/HIVE_PUBLIC_URL: must be an http/);
    const config = parseConfig({ HIVE_BASE_PATH: "/hive", HIVE_PUBLIC_URL: "https://ops.example.com/hive/", HIVE_PUBLIC_API_URL: "http://hive:3000/hive" });
    expect(config.publicUrl).toBe("https://ops.example.com/hive");
    expect(config.publicApiUrl).toBe("http://hive:3000/hive");
  });

  it("fills the backup settings", () => {
    const config = parseConfig({ HIVE_HOST: "10.0.0.5", PORT: "3100" });
    expect(config.backup).toEqual({ dir: expect.stringMatching(/\/backups$/), retentionDays: 7, serverUrl: "http://10.0.0.5:3100" });
    expect(parseConfig({ HIVE_BACKUP_RETENTION_DAYS: "0" }).backup.retentionDays).toBe(0);
    expect(() => parseConfig({ HIVE_BACKUP_RETENTION_DAYS: "-1" })).toThrow(/HIVE_BACKUP_RETENTION_DAYS: must be at least 0/);
  });
});
