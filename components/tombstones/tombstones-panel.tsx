"use client";

import { useState } from "react";
import type { TombstoneView } from "@/server/contracts/approvals";
import { CrashHistoryRow } from "../containers/crash-history";
import { useTombstoneMutation } from "../queries/use-approval-mutations";
import { ConfirmDialog, type ConfirmRequest } from "../ui/confirm-dialog";
import { formatBytes, shortImage } from "../ui/format";
import { CheckIcon, CrossIcon } from "../ui/icons";
import { RelativeTime } from "../ui/relative-time";
import { DataTable, Section } from "../ui/section";

function TombstoneRow({ tombstone, onConfirm }: { tombstone: TombstoneView; onConfirm: (request: ConfirmRequest) => void }) {
  const mutation = useTombstoneMutation();
  const [showCrashes, setShowCrashes] = useState(false);
  const { name } = tombstone;
  return (
    <>
      <tr aria-label={`Tombstone ${name}`}>
        <th scope="row" className="agent-name">
          {name}
        </th>
        <td className="mono">{tombstone.sizeBytes === null ? <span className="muted">measuring…</span> : formatBytes(tombstone.sizeBytes)}</td>
        <td>{tombstone.destroyedAt ? <RelativeTime iso={tombstone.destroyedAt} /> : <span className="muted">created <RelativeTime iso={tombstone.volumeCreatedAt} /></span>}</td>
        <td>
          <span className={tombstone.configKept ? "receipt ok" : "muted"}>{tombstone.configKept ? <><CheckIcon /> config</> : "no config"}</span>{" "}
          <span className={tombstone.credentialsKept ? "receipt ok" : "muted"}>{tombstone.credentialsKept ? <><CheckIcon /> credentials</> : "no credentials"}</span>
        </td>
        <td className="mono">{tombstone.image ? shortImage(tombstone.image) : <span className="muted">—</span>}</td>
        <td>
          {tombstone.crashes > 0 ? (
            <button type="button" className="btn-xs crash-toggle" aria-expanded={showCrashes} onClick={() => setShowCrashes((open) => !open)} aria-label={`Crash history of ${name}: ${tombstone.crashes}`}>
              <CrossIcon /> {tombstone.crashes}
            </button>
          ) : (
            <span className="muted">—</span>
          )}
        </td>
        <td>
          <div className="actions">
            {tombstone.revivePending ? (
              <span className="badge">revive awaiting approval</span>
            ) : (
              <button
                type="button"
                className="btn-xs"
                disabled={!tombstone.configKept || mutation.isPending}
                title={tombstone.configKept ? undefined : "no stored config: spawn it anew with New agent"}
                onClick={() => mutation.mutate({ name, action: "revive" })}
                aria-label={`Revive ${name}`}
              >
                Revive
              </button>
            )}
            <button
              type="button"
              className="btn-xs danger"
              disabled={mutation.isPending}
              aria-label={`Purge tombstone ${name}`}
              onClick={() =>
                onConfirm({
                  title: `Purge the tombstone of ${name}?`,
                  body: (
                    <p>
                      The state volume <span className="mono">{tombstone.volume}</span>
                      {tombstone.sizeBytes !== null ? ` (${formatBytes(tombstone.sizeBytes)})` : ""} with every file {name} kept, its stored config
                      {tombstone.credentialsKept ? " including credentials" : ""} and its tokens are deleted for good. Crash history is kept.
                    </p>
                  ),
                  confirmLabel: `Purge ${name}`,
                  tone: "danger",
                  typeToConfirm: name,
                  onConfirm: () => mutation.mutate({ name, action: "purge" }),
                })
              }
            >
              Purge
            </button>
          </div>
        </td>
      </tr>
      {showCrashes ? <CrashHistoryRow name={name} version={String(tombstone.crashes)} colSpan={7} /> : null}
    </>
  );
}

/** Destroyed agents whose state is kept: revive (through an approval) or purge. */
export function TombstonesPanel({ tombstones }: { tombstones: TombstoneView[] | null }) {
  const [confirm, setConfirm] = useState<ConfirmRequest | null>(null);
  return (
    <Section id="tombstones" title="Tombstones" count={tombstones ? <span className="count">{tombstones.length}</span> : null}>
      {tombstones === null ? (
        <div className="empty-state compact">Tombstones are listed once the container engine answers.</div>
      ) : tombstones.length === 0 ? (
        <div className="empty-state compact">No destroyed agent has kept state.</div>
      ) : (
        <DataTable label="Tombstones" columns={["Agent", "Size", "Destroyed", "Kept", "Image", "Crashes", "Actions"]}>
          {tombstones.map((tombstone) => (
            <TombstoneRow key={tombstone.name} tombstone={tombstone} onConfirm={setConfirm} />
          ))}
        </DataTable>
      )}
      <ConfirmDialog request={confirm} onClose={() => setConfirm(null)} />
    </Section>
  );
}
