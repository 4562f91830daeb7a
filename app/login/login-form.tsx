"use client";

import { useEffect, useRef, useState } from "react";
import { appPath } from "@/components/base-path";
import { ApiError, apiFetch } from "@/components/queries/api";

export function LoginForm() {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submitted = useRef(false);

  async function login(value: string) {
    setBusy(true);
    setError(null);
    try {
      await apiFetch("/api/session", { method: "POST", body: { token: value } });
      window.location.replace(appPath("/"));
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : "login failed");
      setBusy(false);
    }
  }

  // A printed login URL carries the token in the fragment: use it once, then drop it from the address bar.
  useEffect(() => {
    const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
    if (!match || submitted.current) return;
    submitted.current = true;
    history.replaceState(null, "", window.location.pathname);
    const value = decodeURIComponent(match[1]!);
    setToken(value);
    void login(value);
  }, []);

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        void login(token);
      }}
    >
      <label htmlFor="operator-token">Operator token</label>
      <input
        id="operator-token"
        type="password"
        autoComplete="current-password"
        value={token}
        onChange={(event) => setToken(event.target.value)}
        required
        aria-describedby={error ? "login-error" : undefined}
        aria-invalid={error ? true : undefined}
      />
      {error ? (
        <p id="login-error" className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" className="primary" disabled={busy || token.length === 0}>
        {busy ? "Logging in…" : "Log in"}
      </button>
      <p className="muted small login-hint">
        The token was printed when the dashboard first started, or set with HIVE_OPERATOR_TOKEN.
      </p>
    </form>
  );
}
