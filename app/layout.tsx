import type { Metadata, Viewport } from "next";
import { headers } from "next/headers";
import { getConfig } from "@/server/config";
import { NONCE_HEADER } from "@/server/http/edge.mjs";
import "./globals.css";

// The base path is chosen when the server starts (HIVE_BASE_PATH), so no page may be prerendered at build time.
export const dynamic = "force-dynamic";

export function generateMetadata(): Metadata {
  return {
    title: "Hive Dashboard",
    description: "Operator console for a fleet of AI-agent containers",
    icons: { icon: `${getConfig().basePath}/favicon.svg` },
  };
}

export const viewport: Viewport = {
  colorScheme: "light dark",
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#f6f7f9" },
    { media: "(prefers-color-scheme: dark)", color: "#111418" },
  ],
};

/**
 * Runs before first paint and before any of Next's scripts: applies the stored theme (no white flash for a dark-theme
 * operator) and, under a base path, tells the bundler's runtime where chunks live (it would load them from /_next/).
 */
function headScript(basePath: string): string {
  const theme = `try{var t=localStorage.getItem("hive-theme");if(t==="light"||t==="dark")document.documentElement.dataset.theme=t}catch(e){}`;
  return basePath ? `self.TURBOPACK_CHUNK_BASE_PATH=${JSON.stringify(`${basePath}/_next/`)};${theme}` : theme;
}

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const { basePath } = getConfig();
  // The page's Content-Security-Policy admits inline scripts only with this response's nonce (server/http/edge.mjs).
  const nonce = (await headers()).get(NONCE_HEADER) ?? undefined;
  return (
    <html lang="en" data-base-path={basePath} suppressHydrationWarning>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: headScript(basePath) }} />
      </head>
      <body>{children}</body>
    </html>
  );
}
