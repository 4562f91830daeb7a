"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import type { NodeView } from "@/server/contracts/nodes";
import { ApiError, apiFetch } from "../queries/api";
import { dashboardKeys } from "../queries/keys";
import { useToast } from "../ui/toast";
import { NodePickField } from "./node-pick-field";
import { type SecretEntry, SecretEnvFields } from "./secret-env-fields";

/** Splits a command line on spaces, honouring "double" and 'single' quotes. */
export function splitCommand(text: string): string[] {
  const parts: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) parts.push(match[1] ?? match[2] ?? match[3] ?? "");
  return parts;
}

/** KEY=VALUE per line; blank lines and # comments are skipped. */
export function parseEnv(text: string): { env: Record<string, string>; bad: string[] } {
  const env: Record<string, string> = {};
  const bad: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) bad.push(line);
    else env[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return { env, bad };
}

type Issue = { path: string; message: string };

export function SpawnDialog({ open, onClose, nodes }: { open: boolean; onClose: () => void; nodes: NodeView[] | null }) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [form, setForm] = useState({ name: "", image: "", cmd: "", env: "", memoryMb: "", cpus: "", network: "", role: "agent", node: "" });
  const [secrets, setSecrets] = useState<SecretEntry[]>([]);
  const [issues, setIssues] = useState<Issue[]>([]);

  useEffect(() => {
    const dialog = ref.current;
    if (open && dialog && !dialog.open) {
      setIssues([]);
      dialog.showModal();
    } else if (!open && dialog?.open) dialog.close();
  }, [open]);

  const spawn = useMutation({
    mutationFn: (body: Record<string, unknown>) => {
      const pending = apiFetch("/api/agents", { method: "POST", body });
      setTimeout(() => void queryClient.invalidateQueries({ queryKey: dashboardKeys.all }), 80);
      return pending;
    },
    onSuccess: (_data, body) => {
      toast.show("success", `${String(body.name)} spawned`);
      setForm((current) => ({ ...current, name: "" }));
      setSecrets([]);
      onClose();
    },
    onError: (error) => {
      if (error instanceof ApiError && Array.isArray(error.details.issues)) setIssues(error.details.issues as Issue[]);
      else setIssues([{ path: "(root)", message: error instanceof ApiError ? error.message : String(error) }]);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: dashboardKeys.all }),
  });

  function submit(event: React.FormEvent) {
    event.preventDefault();
    const { env, bad } = parseEnv(form.env);
    if (bad.length) {
      setIssues([{ path: "env", message: `not KEY=VALUE: ${bad.join(", ")}` }]);
      return;
    }
    const filled = secrets.filter((entry) => entry.key.trim() || entry.value);
    const unnamed = filled.filter((entry) => !entry.key.trim());
    if (unnamed.length) {
      setIssues([{ path: "env", message: "every secret variable needs a name" }]);
      return;
    }
    const allEnv: Record<string, string | { value: string; secret: true }> = { ...env };
    for (const entry of filled) allEnv[entry.key.trim()] = { value: entry.value, secret: true };
    const body: Record<string, unknown> = { name: form.name.trim(), image: form.image.trim(), role: form.role };
    if (form.cmd.trim()) body.cmd = splitCommand(form.cmd);
    if (Object.keys(allEnv).length) body.env = allEnv;
    if (form.memoryMb.trim()) body.memoryMb = Number(form.memoryMb);
    if (form.cpus.trim()) body.cpus = Number(form.cpus);
    if (form.network.trim()) body.network = form.network.trim();
    if (form.node) body.node = form.node;
    setIssues([]);
    spawn.mutate(body);
  }

  const issueFor = (field: string) => issues.filter((issue) => issue.path === field || issue.path.startsWith(`${field}.`));
  const field = (name: keyof typeof form, label: string, props: React.InputHTMLAttributes<HTMLInputElement> = {}) => {
    const problems = issueFor(name);
    return (
      <div className="field">
        <label htmlFor={`${id}-${name}`}>{label}</label>
        <input
          id={`${id}-${name}`}
          type="text"
          value={form[name]}
          onChange={(event) => setForm((current) => ({ ...current, [name]: event.target.value }))}
          aria-invalid={problems.length ? true : undefined}
          aria-describedby={problems.length ? `${id}-${name}-error` : undefined}
          {...props}
        />
        {problems.length ? (
          <p id={`${id}-${name}-error`} className="form-error">
            {problems.map((problem) => problem.message).join("; ")}
          </p>
        ) : null}
      </div>
    );
  };
  const general = issues.filter((issue) => !["name", "image", "cmd", "env", "memoryMb", "cpus", "network", "role", "node"].some((name) => issue.path === name || issue.path.startsWith(`${name}.`)));

  return (
    <dialog ref={ref} className="dialog dialog-wide" aria-labelledby={`${id}-title`} onClose={onClose}>
      <form onSubmit={submit}>
        <h2 id={`${id}-title`}>New agent</h2>
        <div className="form-grid">
          {field("name", "Name", { required: true, placeholder: "coder-1", autoFocus: true, autoComplete: "off" })}
          {field("image", "Image", { required: true, placeholder: "hive-test-agent:latest", autoComplete: "off" })}
          {field("cmd", "Command (optional)", { placeholder: "uses the image's default" })}
          {field("network", "Network (optional)", { placeholder: "default bridge" })}
          {field("memoryMb", "Memory limit, MB (optional)", { inputMode: "numeric" })}
          {field("cpus", "CPUs (optional)", { inputMode: "decimal" })}
          <div className="field">
            <label htmlFor={`${id}-role`}>Role</label>
            <select id={`${id}-role`} value={form.role} onChange={(event) => setForm((current) => ({ ...current, role: event.target.value }))}>
              <option value="agent">agent</option>
              <option value="manager">manager (may request spawns and config changes)</option>
            </select>
          </div>
          <NodePickField
            id={`${id}-node`}
            nodes={nodes}
            value={form.node}
            problems={issueFor("node").map((issue) => issue.message)}
            onChange={(node) => setForm((current) => ({ ...current, node }))}
          />
          <div className="field field-wide">
            <label htmlFor={`${id}-env`}>Environment (KEY=VALUE per line)</label>
            <textarea
              id={`${id}-env`}
              rows={4}
              value={form.env}
              onChange={(event) => setForm((current) => ({ ...current, env: event.target.value }))}
              aria-invalid={issueFor("env").length ? true : undefined}
            />
            {issueFor("env").length ? <p className="form-error">{issueFor("env").map((issue) => issue.message).join("; ")}</p> : null}
          </div>
          <SecretEnvFields id={id} entries={secrets} onChange={setSecrets} />
        </div>
        <p className="muted small">The dashboard adds HIVE_API_URL and a fresh HIVE_AGENT_TOKEN, and mounts the state volume at /state.</p>
        {general.length ? (
          <p className="form-error" role="alert">
            {general.map((issue) => issue.message).join("; ")}
          </p>
        ) : null}
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={spawn.isPending}>
            {spawn.isPending ? "Spawning…" : "Spawn agent"}
          </button>
        </div>
      </form>
    </dialog>
  );
}
