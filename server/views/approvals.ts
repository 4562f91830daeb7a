import type { ApprovalView, DiffLine } from "../contracts/approvals";

type Config = {
  image: string;
  cmd?: string[];
  env?: Record<string, string>;
  /** Names of the write-only env entries: their values appear in no view. */
  secretEnv?: string[];
  memoryMb?: number;
  cpus?: number;
  network?: string;
};

export const SECRET_MASK = "[secret]";
export const CHANGED_SECRET_MASK = "[secret, changed]";
/** What an agent sees in place of any env value: the agent it proposes for may hold values it must not read. */
export const HIDDEN_FROM_AGENTS = "[hidden]";

type EnvShown = (key: string, value: string) => string;

/** A config as one line per setting, in a stable order: what operators review and what the diff compares. */
export function configLines(config: Config | null | undefined, showEnv: EnvShown = maskSecrets(config)): string[] {
  if (!config) return [];
  const lines = [`image: ${JSON.stringify(config.image)}`];
  if (config.cmd?.length) lines.push(`cmd: ${JSON.stringify(config.cmd)}`);
  if (config.memoryMb !== undefined) lines.push(`memoryMb: ${config.memoryMb}`);
  if (config.cpus !== undefined) lines.push(`cpus: ${config.cpus}`);
  if (config.network) lines.push(`network: ${JSON.stringify(config.network)}`);
  for (const key of Object.keys(config.env ?? {}).sort()) lines.push(`env.${key}: ${showEnv(key, config.env![key]!)}`);
  return lines;
}

function maskSecrets(config: Config | null | undefined): EnvShown {
  const secret = new Set(config?.secretEnv ?? []);
  return (key, value) => (secret.has(key) ? SECRET_MASK : JSON.stringify(value));
}

/**
 * The proposed config's lines for the diff: a secret whose value changes reads "[secret, changed]", so the
 * reviewer sees that it changes and never from what or to what.
 */
function proposedLines(previous: Config | null, proposed: Config): string[] {
  const wasSecret = new Set(previous?.secretEnv ?? []);
  const secret = new Set(proposed.secretEnv ?? []);
  return configLines(proposed, (key, value) => {
    if (!secret.has(key)) return JSON.stringify(value);
    return wasSecret.has(key) && previous?.env?.[key] !== value ? CHANGED_SECRET_MASK : SECRET_MASK;
  });
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

/** The operators' view: everything but secret values. */
export function toApprovalView(row: ApprovalRecord): ApprovalView {
  return {
    ...approvalFields(row),
    summary: configLines(row.config),
    diff: row.kind === "config_change" ? unifiedDiff(configLines(row.previousConfig), proposedLines(row.previousConfig, row.config)) : null,
  };
}

/**
 * The requesting agent's view: no env value at all and no diff. A config change compares with another agent's
 * config, and values it kept from there (or a diff line left unchanged) would tell the requester what they are.
 */
export function toAgentApprovalView(row: ApprovalRecord): ApprovalView {
  return { ...approvalFields(row), summary: configLines(row.config, () => HIDDEN_FROM_AGENTS), diff: null };
}

function approvalFields(row: ApprovalRecord) {
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
  };
}

export function buildApprovalViews(input: { pending: ApprovalRecord[]; decided: ApprovalRecord[] }) {
  return { pending: input.pending.map(toApprovalView), recent: input.decided.map(toApprovalView) };
}
