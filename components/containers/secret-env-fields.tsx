"use client";

export type SecretEntry = { key: string; value: string };

/**
 * Env entries marked secret: typed into password fields and sent as `{ value, secret: true }`. The dashboard
 * never shows them again (views and diffs read "[secret]"), so the form says so.
 */
export function SecretEnvFields({
  id,
  entries,
  onChange,
}: {
  id: string;
  entries: SecretEntry[];
  onChange: (entries: SecretEntry[]) => void;
}) {
  const update = (index: number, patch: Partial<SecretEntry>) =>
    onChange(entries.map((entry, at) => (at === index ? { ...entry, ...patch } : entry)));
  return (
    <fieldset className="field field-wide secret-env">
      <legend>Secret variables</legend>
      <p className="muted small" id={`${id}-secret-hint`}>
        Write-only: the agent gets them; no page, diff, audit or log shows them again.
      </p>
      {entries.map((entry, index) => (
        <div className="secret-env-row" key={index}>
          <label className="visually-hidden" htmlFor={`${id}-secret-key-${index}`}>
            Secret variable {index + 1} name
          </label>
          <input
            id={`${id}-secret-key-${index}`}
            type="text"
            placeholder="API_KEY"
            autoComplete="off"
            spellCheck={false}
            value={entry.key}
            onChange={(event) => update(index, { key: event.target.value })}
          />
          <label className="visually-hidden" htmlFor={`${id}-secret-value-${index}`}>
            Secret variable {index + 1} value
          </label>
          <input
            id={`${id}-secret-value-${index}`}
            type="password"
            autoComplete="new-password"
            aria-describedby={`${id}-secret-hint`}
            value={entry.value}
            onChange={(event) => update(index, { value: event.target.value })}
          />
          <button type="button" aria-label={`Remove secret variable ${index + 1}`} onClick={() => onChange(entries.filter((_, at) => at !== index))}>
            Remove
          </button>
        </div>
      ))}
      <div>
        <button type="button" onClick={() => onChange([...entries, { key: "", value: "" }])}>
          Add secret variable
        </button>
      </div>
    </fieldset>
  );
}
