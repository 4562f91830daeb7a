import "server-only";
import type { Actor } from "../../../contracts/actors";
import { forbidden } from "../../../errors";

/**
 * Agents may care for the fleet only as managers, and never act on themselves (a manager that kills or restarts
 * itself cuts its own legs). Operators and the dashboard itself pass. Checked before anything else is looked at.
 */
export function requireFleetCare(actor: Actor, verb: string, target?: string): void {
  if (actor.kind !== "agent") return;
  if (actor.role !== "manager") throw forbidden(`only manager agents may ${verb} agents; ${actor.agent} is not a manager`);
  if (target === actor.agent) throw forbidden(`a manager may not ${verb} itself (${actor.agent}); ask the operator`);
}
