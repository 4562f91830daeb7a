import "server-only";
import type { Logger } from "pino";
import type { Database } from "../db/client";
import { claimedStateVolumes } from "../db/queries/installation";
import type { ContainerRuntime, StateVolume } from "../runtime/types";

const LIST_TTL_MS = 10_000;
const SIZES_TTL_MS = 60_000;

/**
 * Our state volumes, cached briefly (services that create or remove volumes invalidate it), and their sizes,
 * which the engine computes expensively: refreshed in the background at most once a minute.
 */
export class StateVolumeCache {
  private listed: { at: number; value: Promise<StateVolume[]> } | undefined;
  private sizes: { at: number; value: Map<string, number> } | undefined;
  private sizing: Promise<void> | undefined;

  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly db: Database,
    private readonly installation: string,
    private readonly logger: Logger,
  ) {}

  list(): Promise<StateVolume[]> {
    if (!this.listed || Date.now() - this.listed.at > LIST_TTL_MS) {
      // Ours: made by this installation, or brought along with an agent an operator adopted.
      const value = Promise.all([this.runtime.listStateVolumes(), claimedStateVolumes(this.db)]).then(([volumes, claimed]) =>
        volumes.filter((volume) => volume.installation === this.installation || claimed.has(volume.name)),
      );
      this.listed = { at: Date.now(), value };
      value.catch(() => {
        if (this.listed?.value === value) this.listed = undefined;
      });
    }
    return this.listed.value;
  }

  invalidate(): void {
    this.listed = undefined;
  }

  /** Sizes as last measured (null before the first measurement); starts a measurement when they are stale. */
  currentSizes(): Map<string, number> | null {
    if ((!this.sizes || Date.now() - this.sizes.at > SIZES_TTL_MS) && !this.sizing) {
      this.sizing = this.runtime
        .stateVolumeSizes()
        .then((value) => {
          this.sizes = { at: Date.now(), value };
        })
        .catch((error: Error) => this.logger.warn({ err: error.message }, "could not measure state volumes"))
        .finally(() => (this.sizing = undefined));
    }
    return this.sizes?.value ?? null;
  }
}
