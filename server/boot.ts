import "server-only";
import { setMaxListeners } from "node:events";
import type { Logger } from "pino";
import { type HiveApp, registerApp } from "./app";
import { StateSnapshotCache } from "./caches/state-snapshot";
import { StateVolumeCache } from "./caches/state-volumes";
import type { HiveContext } from "./context";
import { ensureOperatorCredentials } from "./credentials/operator-credentials";
import { RevocationWatch } from "./credentials/revocation-watch";
import { EventHub } from "./events/event-hub";
import { FleetPicture } from "./fleet/fleet-picture";
import { InFlightSlots } from "./in-flight/in-flight-slots";
import { ConfigError, getConfig, type HiveConfig } from "./config";
import {
  assertSchemaCurrent,
  type DatabaseHandle,
  isDatabaseUnavailable,
  openPglite,
  openPostgres,
} from "./db/client";
import { DataDirLockedError } from "./db/lock";
import { log } from "./log";
import { createRuntime, RUNTIME_DRIVERS } from "./runtime/registry";
import { DependencyMonitor } from "./runtime/monitor";
import { ClientSlots } from "./security/client-slots";
import { CredentialThrottle } from "./security/credential-throttle";
import { newId } from "./security/tokens";
import { CrashWatch } from "./workers/crash-watch";
import { FleetWatcher } from "./workers/fleet-watcher";
import { EventRetention } from "./workers/event-retention";
import { InstanceRegistry } from "./workers/instance-registry";
import { QuestionExpiry } from "./workers/question-expiry";
import { TombstoneRetention } from "./workers/tombstone-retention";
import { UptimeWorker } from "./workers/uptime";
import { WebhookDelivery, WebhookFeeder } from "./workers/webhooks";
import { ForeignAgentCache } from "./caches/foreign-agents";
import { NodeCache } from "./caches/nodes";
import { AgentStatsCache } from "./caches/agent-stats";
import { ensureInstallationId } from "./db/queries/installation";
import { WriteRetry } from "./write-retry/write-retry";
import { LeaderElection } from "./workers/leader-election";
import type { Worker } from "./workers/worker";

/** A start-up failure with a message meant for the person starting the dashboard. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StartupError";
  }
}

async function openDatabase(config: HiveConfig, logger: Logger): Promise<DatabaseHandle> {
  if (!config.databaseUrl) return openPglite(config.dataDir, "dashboard server", logger);
  const handle = await openPostgres(config.databaseUrl, logger);
  // A database that is still starting gets a short grace period; a wrong URL fails within it.
  const deadline = Date.now() + 15_000;
  for (let attempt = 1; ; attempt++) {
    try {
      await handle.ping(3_000);
      break;
    } catch (error) {
      if (!isDatabaseUnavailable(error) || Date.now() > deadline) {
        await handle.close().catch(() => undefined);
        throw new StartupError(`PostgreSQL at ${handle.location} is unreachable: ${(error as Error).message}`);
      }
      logger.warn({ attempt, location: handle.location, err: (error as Error).message }, "waiting for PostgreSQL");
      await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 200 * attempt)));
    }
  }
  try {
    await assertSchemaCurrent(handle);
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw new StartupError((error as Error).message);
  }
  logger.info({ location: handle.location }, "PostgreSQL ready");
  return handle;
}

/** Builds the app: database, operator credentials, engine driver and monitor, workers. */
export async function bootApp(config: HiveConfig): Promise<HiveApp> {
  const logger = log();
  logger.level = config.logLevel;
  const database = await openDatabase(config, logger);
  try {
    const credentials = await ensureOperatorCredentials(database.db, config, logger, (text) =>
      process.stdout.write(`${text}\n`),
    );
    const installation = await ensureInstallationId(database.db);
    if (installation.created) {
      logger.info(
        { installation: installation.id, knownAgents: installation.legacyAgents.length },
        "installation identity made: the agents this database knew stay its own; others on the engine are another installation's until adopted",
      );
    }
    const driver = config.runtime.driver;
    const runtime = await createRuntime(driver, {
      probeTimeoutMs: config.runtime.timeoutMs,
      installation: installation.id,
      legacyAgents: installation.legacyAgents,
    });
    const runtimeMonitor = new DependencyMonitor({
      dependency: runtime.kind,
      endpoint: runtime.endpoint,
      probe: () => runtime.ping(),
      baseDelayMs: config.runtime.retryBaseMs,
      maxDelayMs: config.runtime.retryMaxMs,
      jitterMs: config.runtime.retryJitterMs,
      probeIntervalMs: config.runtime.probeIntervalMs,
      maxRetries: config.runtime.maxRetries,
      logger: logger.child({ component: "runtime-monitor" }),
    });
    // One probe before serving, so the first requests see the engine's real status rather than "unknown".
    const status = await runtimeMonitor.probeNow();
    if (!config.runtime.optional) {
      if (status !== "up") {
        const error = runtimeMonitor.snapshot().lastError;
        throw new StartupError(
          `The ${RUNTIME_DRIVERS[driver.name].label} engine at ${runtime.endpoint} is unreachable (${error?.code}: ${error?.message}) and ` +
            `HIVE_RUNTIME_OPTIONAL=false requires it at start.`,
        );
      }
    }
    runtimeMonitor.start();
    const fleetLogger = logger.child({ component: "fleet" });
    const fleet = new FleetPicture((error) => fleetLogger.warn({ err: error.message }, "fleet listener failed"));
    const fleetWatcher = new FleetWatcher(fleet, runtime, runtimeMonitor, fleetLogger);

    const workers: Worker[] = [];
    const instanceId = newId(`hive-${process.pid}`);
    const events = new EventHub(database, logger.child({ component: "event-hub" }));
    const writeRetry = new WriteRetry(logger.child({ component: "write-retry" }));
    await events.start();
    const revocations = new RevocationWatch(database, logger.child({ component: "revocations" }));
    await revocations.start();
    const shutdownController = new AbortController();
    // Every open stream and long poll listens for shutdown: hundreds are normal, not a leak.
    setMaxListeners(0, shutdownController.signal);
    const context: HiveContext = {
      config,
      logger,
      db: database.db,
      pingDatabase: (timeoutMs) => database.ping(timeoutMs),
      dumpEmbeddedDatabase: database.dumpDataDir ? () => database.dumpDataDir!() : undefined,
      runtime,
      engine: runtimeMonitor,
      fleet,
      events,
      caches: {
        state: new StateSnapshotCache(database.db, events),
        volumes: new StateVolumeCache(runtime, database.db, installation.id, logger.child({ component: "volumes" })),
        foreign: new ForeignAgentCache(runtime),
        nodes: new NodeCache(runtime),
        stats: new AgentStatsCache(runtime, logger.child({ component: "stats" })),
      },
      slots: new InFlightSlots(),
      credentials,
      revocations,
      writeRetry,
      credentialThrottle: new CredentialThrottle(),
      logFollows: new ClientSlots(config.logFollowsPerClient, "log follows", "HIVE_LOG_FOLLOWS_PER_CLIENT"),
      instanceId,
      installation: installation.id,
      shutdownSignal: shutdownController.signal,
    };
    let stopping: Promise<void> | undefined;
    const app: HiveApp = {
      context,
      isLeader: () => leaderElection.isLeader,
      startedAt: new Date(),
      beginShutdown() {
        if (!shutdownController.signal.aborted) shutdownController.abort();
      },
      shutdown(onStep = () => undefined) {
        stopping ??= (async () => {
          app.beginShutdown();
          for (const worker of [...workers].reverse()) {
            onStep(`worker ${worker.name}`);
            await worker.stop().catch((error: Error) => logger.error({ worker: worker.name, err: error.message }, "worker stop failed"));
          }
          onStep("engine monitor");
          await runtimeMonitor.stop();
          onStep("event hub");
          await events.stop();
          onStep("revocation watch");
          await revocations.stop();
          onStep("database close");
          await database.close();
          logger.info("dashboard stopped");
        })();
        return stopping;
      },
    };
    const leaderTasks = [new CrashWatch(context), new TombstoneRetention(context, config.tombstoneRetentionDays), new UptimeWorker(context), new WebhookFeeder(context)];
    const leaderElection = new LeaderElection(database, leaderTasks, logger.child({ component: "leader" }));
    // The write retry stops last among the workers: the others' last records may still be in it.
    workers.push(
      writeRetry,
      fleetWatcher,
      new InstanceRegistry(database, instanceId, logger.child({ component: "instances" })),
      new QuestionExpiry(context),
      new EventRetention(database.db, logger.child({ component: "retention" })),
      new WebhookDelivery(context),
      leaderElection,
    );
    for (const worker of workers) await worker.start();
    logger.info(
      { database: database.kind, location: database.location, runtime: runtime.kind, endpoint: runtime.endpoint, authMode: config.auth.mode },
      "dashboard ready",
    );
    return app;
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
}

/** Start-up from the server entry point: any failure prints one clear message and ends the process. */
export async function bootFromEntryPoint(): Promise<void> {
  try {
    const config = getConfig();
    await registerApp(bootApp(config));
  } catch (error) {
    const known = error instanceof ConfigError || error instanceof DataDirLockedError || error instanceof StartupError;
    const message = known ? (error as Error).message : `Start-up failed: ${(error as Error)?.stack ?? error}`;
    process.stderr.write(`\nhive-dashboard: ${message}\n\n`);
    log().fatal({ err: (error as Error)?.message }, "start-up failed");
    process.exit(1);
  }
}
