import "server-only";
import type { Logger } from "pino";
import type { Worker } from "./worker";
import type { DatabaseHandle, LeaderLock } from "../db/client";

const LEADER_KEY = "hive-dashboard.leader";
const RETRY_MS = 10_000;

export interface LeaderTask {
  start(): void;
  stop(): Promise<void>;
}

/**
 * Runs the leader-only tasks (crash watch, recovery) in exactly one of the replicas sharing a PostgreSQL:
 * the holder of a session advisory lock. A standby retries every 10 s, so it takes over within that (plus the
 * time PostgreSQL needs to notice the old leader's connection is gone).
 */
export class LeaderElection implements Worker {
  readonly name = "leader-election";
  private lock: LeaderLock | null = null;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly database: DatabaseHandle,
    private readonly tasks: LeaderTask[],
    private readonly logger: Logger,
  ) {}

  get isLeader(): boolean {
    return this.lock !== null;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.attempt();
  }

  private async attempt(): Promise<void> {
    if (this.stopped || this.lock) return;
    try {
      this.lock = await this.database.tryLeaderLock(LEADER_KEY);
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, "leader election attempt failed");
    }
    if (this.lock) {
      const lock = this.lock;
      this.logger.info({ database: this.database.kind }, "this process leads: crash watch and recovery run here");
      for (const task of this.tasks) task.start();
      void lock.lost.then(() => this.demote(lock));
    } else {
      this.timer = setTimeout(() => void this.attempt(), RETRY_MS);
      this.timer.unref();
    }
  }

  private async demote(lock: LeaderLock) {
    if (this.lock !== lock) return;
    this.lock = null;
    if (this.stopped) return;
    this.logger.warn("leadership lost (database connection dropped); stopping leader tasks and retrying");
    for (const task of this.tasks) await task.stop();
    this.timer = setTimeout(() => void this.attempt(), 1_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const lock = this.lock;
    this.lock = null;
    for (const task of this.tasks) await task.stop();
    await lock?.release();
  }
}
