import "server-only";
import os from "node:os";
import type { Worker } from "./worker";
import type { DatabaseHandle } from "../db/client";
import { publishEvent } from "../db/queries/events";
import { deleteOrphanedTransients, deleteStaleInstances, registerInstance, removeInstance } from "../db/queries/transients";
import type { Logger } from "pino";

const HEARTBEAT_MS = 10_000;
/** A process silent this long is dead: its in-flight slots are reclaimed. */
export const INSTANCE_STALE_MS = 30_000;

/**
 * Registers this process, heartbeats, and reclaims the in-flight slots of processes that died mid-action,
 * so no pill stays forever. With the embedded database there is one process, so every other one is dead.
 */
export class InstanceRegistry implements Worker {
  readonly name = "instance-registry";
  private timer: NodeJS.Timeout | undefined;
  /**
   * Since when this process has reached the database without a break. Another process's heartbeat is judged stale
   * only over a span this process watched whole: after a database outage every heartbeat is old, and the live
   * processes' slots (their pills) must not be taken for a dead process's.
   */
  private reachableSince: number | null = null;

  constructor(
    private readonly database: DatabaseHandle,
    private readonly instanceId: string,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const db = this.database.db;
    if (this.database.kind === "pglite") await deleteStaleInstances(db, new Date(Date.now() + 1));
    await registerInstance(db, { id: this.instanceId, hostname: os.hostname(), pid: process.pid });
    this.reachableSince = Date.now();
    await this.reclaim();
    this.timer = setInterval(() => void this.tick(), HEARTBEAT_MS);
    this.timer.unref();
  }

  private async tick() {
    try {
      // An upsert: after a long outage another replica may have cleared this process's row as stale.
      await registerInstance(this.database.db, { id: this.instanceId, hostname: os.hostname(), pid: process.pid });
      this.reachableSince ??= Date.now();
      await this.reclaim();
    } catch (error) {
      this.reachableSince = null;
      this.logger.warn({ err: (error as Error).message }, "instance heartbeat failed");
    }
  }

  async reclaim(): Promise<void> {
    const db = this.database.db;
    // With the embedded database this is the only process: every other one is dead, whatever the clock says.
    const watchedLongEnough = this.reachableSince !== null && Date.now() - this.reachableSince >= INSTANCE_STALE_MS;
    if (this.database.kind !== "pglite" && !watchedLongEnough) return;
    const staleBefore = new Date(Date.now() - INSTANCE_STALE_MS);
    const reclaimed = await deleteOrphanedTransients(db, staleBefore, this.instanceId);
    for (const transient of reclaimed) {
      this.logger.warn({ agent: transient.agent, action: transient.action, owner: transient.ownerInstance }, "reclaimed an in-flight slot left by a dead process");
      await publishEvent(db, {
        kind: "transient_reclaimed",
        agent: transient.agent,
        actor: "system:reclaimer",
        detail: { action: transient.action, startedBy: transient.startedBy, owner: transient.ownerInstance },
      });
    }
    await deleteStaleInstances(db, new Date(Date.now() - 10 * INSTANCE_STALE_MS));
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await removeInstance(this.database.db, this.instanceId).catch(() => undefined);
  }
}
