"use client";

import { useEffect, useState } from "react";
import { HalfCircleIcon, MoonIcon, SunIcon } from "./icons";

type Theme = "light" | "dark" | "system";
const order: Theme[] = ["system", "light", "dark"];
const labels: Record<Theme, string> = { system: "Theme: system", light: "Theme: light", dark: "Theme: dark" };
const icons: Record<Theme, React.ReactNode> = { system: <HalfCircleIcon />, light: <SunIcon />, dark: <MoonIcon /> };

export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>("system");
  useEffect(() => {
    const stored = localStorage.getItem("hive-theme");
    if (stored === "light" || stored === "dark") setTheme(stored);
  }, []);
  function cycle() {
    const next = order[(order.indexOf(theme) + 1) % order.length]!;
    setTheme(next);
    if (next === "system") {
      localStorage.removeItem("hive-theme");
      delete document.documentElement.dataset.theme;
    } else {
      localStorage.setItem("hive-theme", next);
      document.documentElement.dataset.theme = next;
    }
  }
  return (
    <button type="button" className="ghost" onClick={cycle} aria-label={`${labels[theme]} (change)`} title={labels[theme]}>
      {icons[theme]}
    </button>
  );
}
