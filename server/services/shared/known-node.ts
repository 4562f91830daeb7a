import "server-only";
import { z } from "zod";
import { HiveError } from "../../errors";
import type { ContainerRuntime, RuntimeNode } from "../../runtime/types";

/**
 * The node an operator named, among those the runtime knows now (a cluster's nodes, or a single engine's one host):
 * an unknown name is a 400 naming the nodes there are, with the issue on the `node` field as a form shows it.
 */
export async function requireKnownNode(runtime: ContainerRuntime, node: string): Promise<RuntimeNode> {
  const nodes = await runtime.listNodes();
  const names = nodes.map((entry) => entry.name);
  const known = z.enum(names as [string, ...string[]]).safeParse(node);
  if (!known.success) {
    const message = `no node named ${node}; the nodes are ${names.join(", ") || "(none)"}`;
    throw new HiveError("invalid_request", `node: ${message}`, { issues: [{ path: "node", message }] });
  }
  return nodes.find((entry) => entry.name === known.data)!;
}
