import "server-only";
import { systemActor } from "../contracts/actors";
import { type HiveContext, systemCall } from "../context";
import { insertAuditEntry } from "../db/queries/audit";
import { listAgentRows } from "../db/queries/agents";
import { purgeTombstone } from "../services/tombstones/purge-tombstone";

const SWEEP_MS = 3_600_000;

/**
 * Optional (HIVE_TOMBSTONE_RETENTION_DAYS > 0): tombstones destroyed longer ago than that are purged, each with
 * an event and an audit row. Off by default: kept state is only deleted by an operator. Runs on the leader.
 */
export class TombstoneRetention {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: HiveContext,
    private readonly days: number,
  ) {}

  start(): void {
    if (this.days <= 0) return;
    this.timer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.timer.unref();
    void this.sweep();
  }

  async sweep(): Promise<number> {
    if (this.days <= 0 || this.ctx.engine.status !== "up") return 0;
    const cutoff = Date.now() - this.days * 86_400_000;
    const live = new Set((this.ctx.fleet.current() ?? (await this.ctx.runtime.listAgents())).map((container) => container.name));
    const volumes = new Set((await this.ctx.caches.volumes.list()).map((volume) => volume.name));
    let purged = 0;
    for (const row of await listAgentRows(this.ctx.db)) {
      if (!row.destroyedAt || row.destroyedAt.getTime() > cutoff || live.has(row.name) || !volumes.has(row.name)) continue;
      const traceId = `retention-${Date.now()}-${row.name}`;
      try {
        await purgeTombstone({ ctx: systemCall(this.ctx, systemActor("system:retention")), input: { name: row.name } });
        purged++;
        await insertAuditEntry(this.ctx.db, {
          actorKind: "system",
          actor: "system:retention",
          action: "tombstone.purge",
          target: row.name,
          result: "ok",
          status: 200,
          traceId,
          detail: { destroyedAt: row.destroyedAt.toISOString(), retentionDays: this.days },
        });
      } catch (error) {
        this.ctx.logger.warn({ agent: row.name, err: (error as Error).message }, "tombstone retention could not purge");
      }
    }
    if (purged) this.ctx.logger.info({ purged, retentionDays: this.days }, "tombstone retention purged old tombstones");
    return purged;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
  }
}
