"use client";

import { useState } from "react";
import type { RuntimeSnapshot } from "@/server/contracts/health";
import { appPath } from "../base-path";
import { apiFetch } from "../queries/api";
import { EngineStatus } from "../runtime/engine-status";
import { BrandMark } from "../ui/brand-mark";
import { ThemeToggle } from "../ui/theme-toggle";

export function AppHeader({
  runtime,
  operator,
  authMode,
  live,
}: {
  runtime: RuntimeSnapshot;
  operator: string;
  authMode: "token" | "proxy";
  live?: React.ReactNode;
}) {
  const [leaving, setLeaving] = useState(false);
  async function logout() {
    setLeaving(true);
    try {
      await apiFetch("/api/session", { method: "DELETE" });
    } finally {
      window.location.assign(appPath("/login"));
    }
  }
  return (
    <header className="app-header">
      <h1 className="brand">
        <BrandMark />
        <span>Hive</span>
        <span className="visually-hidden"> Dashboard</span>
      </h1>
      <EngineStatus runtime={runtime} />
      <div className="header-spacer" />
      {live}
      <div className="header-meta">
        <span title="Logged in as">{operator}</span>
        <ThemeToggle />
        {authMode === "token" ? (
          <button type="button" onClick={logout} disabled={leaving}>
            Log out
          </button>
        ) : null}
      </div>
    </header>
  );
}
