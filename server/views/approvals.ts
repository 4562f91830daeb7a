import type { ApprovalView, DiffLine } from "../contracts/approvals";

type Config = { image: string; cmd?: string[]; env?: Record<string, string>; memoryMb?: number; cpus?: number; network?: string };

/** A config as one line per setting, in a stable order: what operators review and what the diff compares. */
export function configLines(config: Config | null | undefined): string[] {
  if (!config) return [];
  const lines = [`image: ${JSON.stringify(config.image)}`];
  if (config.cmd?.length) lines.push(`cmd: ${JSON.stringify(config.cmd)}`);
  if (config.memoryMb !== undefined) lines.push(`memoryMb: ${config.memoryMb}`);
  if (config.cpus !== undefined) lines.push(`cpus: ${config.cpus}`);
  if (config.network) lines.push(`network: ${JSON.stringify(config.network)}`);
  for (const key of Object.keys(config.env ?? {}).sort()) lines.push(`env.${key}: ${JSON.stringify(config.env![key])}`);
  return lines;
}

/** A unified line diff (longest common subsequence), every line kept: configs are short. */
export function unifiedDiff(before: string[], after: string[]): DiffLine[] {
  const rows = before.length;
  const cols = after.length;
  const common: number[][] = Array.from({ length: rows + 1 }, () => new Array<number>(cols + 1).fill(0));
  for (let i = rows - 1; i >= 0; i--) {
    for (let j = cols - 1; j >= 0; j--) {
      common[i]![j] = before[i] === after[j] ? common[i + 1]![j + 1]! + 1 : Math.max(common[i + 1]![j]!, common[i]![j + 1]!);
    }
  }
  const diff: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < rows && j < cols) {
    if (before[i] === after[j]) {
      diff.push({ op: " ", text: before[i]! });
      i++;
      j++;
    } else if (common[i + 1]![j]! >= common[i]![j + 1]!) {
      diff.push({ op: "-", text: before[i++]! });
    } else {
      diff.push({ op: "+", text: after[j++]! });
    }
  }
  while (i < rows) diff.push({ op: "-", text: before[i++]! });
  while (j < cols) diff.push({ op: "+", text: after[j++]! });
  return diff;
}

export type ApprovalRecord = {
  id: string;
  kind: "spawn" | "config_change";
  agent: string;
  role: "agent" | "manager";
  requestedBy: string;
  requesterKind: "agent" | "operator";
  description: string;
  config: Config;
  previousConfig: Config | null;
  revive: boolean;
  status: ApprovalView["status"];
  createdAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  note: string | null;
  failure: string | null;
};

export function toApprovalView(row: ApprovalRecord): ApprovalView {
  return {
    id: row.id,
    kind: row.kind,
    agent: row.agent,
    role: row.role,
    requestedBy: row.requestedBy,
    requesterKind: row.requesterKind,
    description: row.description,
    revive: row.revive,
    status: row.status,
    createdAt: row.createdAt.toISOString(),
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt?.toISOString() ?? null,
    note: row.note,
    failure: row.failure,
    summary: configLines(row.config),
    diff: row.kind === "config_change" ? unifiedDiff(configLines(row.previousConfig), configLines(row.config)) : null,
  };
}

export function buildApprovalViews(input: { pending: ApprovalRecord[]; decided: ApprovalRecord[] }) {
  return { pending: input.pending.map(toApprovalView), recent: input.decided.map(toApprovalView) };
}
