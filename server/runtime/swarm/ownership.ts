import "server-only";
import { AGENT_LABEL, INSTALLATION_LABEL } from "../types";

/**
 * This installation on a swarm (several dashboards may share one): stamped on every service, container and volume
 * the driver makes; only what carries it (or, unlabelled, an agent its database knew from before identities) is its own.
 */
export class Ownership {
  private readonly legacy: ReadonlySet<string>;

  constructor(
    readonly installation: string,
    legacyAgents: readonly string[] = [],
  ) {
    this.legacy = new Set(legacyAgents);
  }

  owns(labels: Record<string, string>): boolean {
    const owner = labels[INSTALLATION_LABEL];
    return owner === this.installation || (owner === undefined && this.legacy.has(labels[AGENT_LABEL] ?? ""));
  }

  get label(): Record<string, string> {
    return { [INSTALLATION_LABEL]: this.installation };
  }
}
