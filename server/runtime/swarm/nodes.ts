import "server-only";
import { RuntimeError, type RuntimeNode } from "../types";
import type { NodeLook } from "./agent-state";
import { type EngineClient, engineClient, engineRequest, quickly } from "./engine-client";
import { EngineSwarmInfo, type SwarmNode, SwarmNodeList } from "./engine-schemas";

/** How long the manager's node list is reused (node events make the driver ask again sooner). */
const NODES_TTL_MS = 2_000;
/** How often a node's engine is asked again whether it answers (and is the node it is said to be). */
const RECHECK_OK_MS = 5_000;
const RECHECK_DOWN_MS = 1_000;

/** A node's own engine, as configured, and what the driver last found there. */
type NodeEngine = {
  client: EngineClient;
  /** `mismatch`: it answers, but as another node (a wrong endpoint): never used. */
  status: "unchecked" | "ok" | "down" | "mismatch";
  problem: string | null;
  checkedAt: number;
  checking?: Promise<void>;
};

/**
 * The swarm's nodes (from the manager) and each node's own engine (the manager's is DOCKER_HOST; the others come from
 * HIVE_SWARM_NODE_ENDPOINTS). An engine is used only once it answered as the node it is configured for; one that stops
 * answering makes its node unreachable to the dashboard until it answers again.
 */
export class NodeDirectory {
  private listed: { at: number; value: Promise<SwarmNode[]> } | undefined;
  private readonly engines = new Map<string, NodeEngine>();
  private managerNodeId: Promise<string> | undefined;
  private readonly listeners = new Set<(hostname: string) => void>();

  constructor(
    private readonly manager: EngineClient,
    configured: Record<string, string>,
    private readonly probeTimeoutMs: number,
  ) {
    for (const [hostname, endpoint] of Object.entries(configured)) {
      this.engines.set(hostname, { client: engineClient(endpoint, probeTimeoutMs), status: "unchecked", problem: null, checkedAt: 0 });
    }
  }

  /** Called with a node's name whenever the dashboard's reach of its engine changes. */
  onReachChange(listener: (hostname: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  invalidate(): void {
    this.listed = undefined;
  }

  /** The manager's node list (briefly cached). */
  list(): Promise<SwarmNode[]> {
    if (!this.listed || Date.now() - this.listed.at > NODES_TTL_MS) {
      const value = quickly(engineRequest(this.manager.quick, "GET", "/nodes"), this.probeTimeoutMs, "the manager").then((raw) => SwarmNodeList.parse(raw));
      this.listed = { at: Date.now(), value };
      value.catch(() => {
        if (this.listed?.value === value) this.listed = undefined;
      });
    }
    return this.listed.value;
  }

  /** The manager's own node id (asked once): its engine is DOCKER_HOST. */
  private ownNodeId(): Promise<string> {
    this.managerNodeId ??= quickly(engineRequest(this.manager.quick, "GET", "/info"), this.probeTimeoutMs, "the manager")
      .then((raw) => {
        const info = EngineSwarmInfo.parse(raw);
        if (info.Swarm.LocalNodeState !== "active" || !info.Swarm.ControlAvailable) {
          throw new RuntimeError("engine", `DOCKER_HOST is not a swarm manager (swarm state: ${info.Swarm.LocalNodeState})`);
        }
        return info.Swarm.NodeID;
      })
      .catch((error: unknown) => {
        this.managerNodeId = undefined;
        throw error;
      });
    return this.managerNodeId;
  }

  /** Checks that the manager answers as a manager (the engine probe). */
  async pingManager(): Promise<void> {
    await quickly(engineRequest(this.manager.quick, "GET", "/_ping"), this.probeTimeoutMs, "the manager");
    await this.ownNodeId();
  }

  /** Each node as the dashboard can judge agents on it: reachable when the swarm has it ready and its engine (if any) answers. */
  async looks(): Promise<Map<string, NodeLook>> {
    const nodes = await this.list();
    await this.checkEngines(nodes);
    const looks = new Map<string, NodeLook>();
    for (const node of nodes) {
      const engine = this.engines.get(node.Description.Hostname);
      const engineDown = engine !== undefined && engine.status === "down";
      looks.set(node.ID, { id: node.ID, hostname: node.Description.Hostname, reachable: node.Status.State === "ready" && !engineDown });
    }
    return looks;
  }

  /** Asks the engines not asked lately whether they answer, and as which node. */
  private async checkEngines(nodes: SwarmNode[]): Promise<void> {
    const managerId = await this.ownNodeId();
    const manager = nodes.find((node) => node.ID === managerId);
    if (manager && !this.engines.has(manager.Description.Hostname)) {
      this.engines.set(manager.Description.Hostname, { client: this.manager, status: "ok", problem: null, checkedAt: Number.POSITIVE_INFINITY });
    }
    await Promise.all(
      nodes.map((node) => {
        const engine = this.engines.get(node.Description.Hostname);
        if (!engine) return undefined;
        const age = Date.now() - engine.checkedAt;
        if (age < (engine.status === "down" ? RECHECK_DOWN_MS : RECHECK_OK_MS)) return undefined;
        return this.check(node, engine);
      }),
    );
  }

  private check(node: SwarmNode, engine: NodeEngine): Promise<void> {
    engine.checking ??= (async () => {
      const before = engine.status;
      try {
        const info = EngineSwarmInfo.parse(await quickly(engineRequest(engine.client.quick, "GET", "/info"), this.probeTimeoutMs, `the engine of ${node.Description.Hostname}`));
        if (info.Swarm.NodeID === node.ID) {
          engine.status = "ok";
          engine.problem = null;
        } else {
          engine.status = "mismatch";
          engine.problem = `its endpoint answers as another engine (${info.Name}, swarm node ${info.Swarm.NodeID || "none"})`;
        }
      } catch (error) {
        engine.status = "down";
        engine.problem = `its engine does not answer: ${(error as Error).message}`;
      } finally {
        engine.checkedAt = Date.now();
        engine.checking = undefined;
      }
      if (before !== engine.status) for (const listener of this.listeners) listener(node.Description.Hostname);
    })();
    return engine.checking;
  }

  /** A call to a node's engine failed as if it were gone: it counts as down until it answers again. */
  markDown(hostname: string, reason: string): void {
    const engine = this.engines.get(hostname);
    if (!engine || engine.client === this.manager || engine.status === "down") return;
    engine.status = "down";
    engine.problem = `its engine does not answer: ${reason}`;
    engine.checkedAt = Date.now();
    for (const listener of this.listeners) listener(hostname);
  }

  /** The engine of the node (by host name) when it can be used now. */
  usableEngine(hostname: string): EngineClient | null {
    const engine = this.engines.get(hostname);
    return engine && engine.status === "ok" ? engine.client : null;
  }

  /** The engine of the node, or an `unavailable` failure saying why it cannot be used. */
  requireEngine(hostname: string, purpose: string): EngineClient {
    const usable = this.usableEngine(hostname);
    if (usable) return usable;
    const engine = this.engines.get(hostname);
    const why = !engine ? "no endpoint is configured for it (HIVE_SWARM_NODE_ENDPOINTS)" : (engine.problem ?? "it was not reached yet");
    throw new RuntimeError("unavailable", `${purpose} needs the engine of node ${hostname}, and ${why}`);
  }

  /** Every node engine the dashboard can use now, by host name. */
  usableEngines(): [string, EngineClient][] {
    return [...this.engines].filter(([, engine]) => engine.status === "ok").map(([hostname, engine]) => [hostname, engine.client]);
  }

  /** The nodes as the page shows them. */
  async describe(): Promise<RuntimeNode[]> {
    const looks = await this.looks();
    const nodes = await this.list();
    return nodes
      .map((node): RuntimeNode => {
        const engine = this.engines.get(node.Description.Hostname);
        const role = node.Spec.Role === "manager" ? "manager" : "worker";
        const availability = node.Spec.Availability === "pause" || node.Spec.Availability === "drain" ? node.Spec.Availability : "active";
        const state = (["ready", "down", "disconnected"] as const).find((value) => value === node.Status.State) ?? "unknown";
        return {
          name: node.Description.Hostname,
          role,
          availability,
          state,
          engineReachable: looks.get(node.ID)?.reachable === true && engine?.status === "ok",
          engineProblem: !engine ? "no endpoint configured (HIVE_SWARM_NODE_ENDPOINTS)" : engine.status === "ok" ? null : engine.problem,
          leader: node.ManagerStatus?.Leader === true,
          cpus: node.Description.Resources.NanoCPUs / 1e9,
          memoryBytes: node.Description.Resources.MemoryBytes,
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }
}
