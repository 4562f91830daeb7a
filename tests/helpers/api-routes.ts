import fs from "node:fs";
import path from "node:path";
import type { z } from "zod";
import { declaredRoute } from "@/server/http/with-route";
import { ROOT } from "./server";

export type DeclaredRoute = {
  /** "POST /api/agents/[name]/stop" */
  key: string;
  method: string;
  /** The route's path with its dynamic segments as `[param]`. */
  pattern: string;
  params: string[];
  auth: "public" | "operator" | "agent";
  action?: string;
  body?: z.ZodType;
  query?: z.ZodType;
  paramsSchema?: z.ZodType;
};

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

function routeFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return entry.name === "route.ts" ? [full] : [];
  });
}

/**
 * Every route handler under app/api with what it declared to withRoute (auth, schemas), found by walking the
 * folder and importing each module: a new route is in the list without anyone adding it. The catch-all 404 is not.
 */
export async function declaredRoutes(): Promise<DeclaredRoute[]> {
  const found: DeclaredRoute[] = [];
  for (const file of routeFiles(path.join(ROOT, "app/api")).sort()) {
    const pattern = `/${path.relative(path.join(ROOT, "app"), path.dirname(file)).split(path.sep).join("/")}`;
    if (pattern.includes("[[...")) continue;
    const module = (await import(file)) as Record<string, unknown>;
    for (const method of METHODS) {
      if (!(method in module)) continue;
      const declared = declaredRoute(module[method]);
      if (!declared) throw new Error(`${method} ${pattern} is not made with withRoute: it would skip auth, validation and audit`);
      found.push({
        key: `${method} ${pattern}`,
        method,
        pattern,
        params: [...pattern.matchAll(/\[(\w+)\]/g)].map((match) => match[1]!),
        auth: declared.auth,
        action: declared.action,
        body: declared.body as z.ZodType | undefined,
        query: declared.query as z.ZodType | undefined,
        paramsSchema: declared.params as z.ZodType | undefined,
      });
    }
  }
  return found;
}

/** The route's path with its parameters filled in, each encoded as one segment. */
export function routePath(route: Pick<DeclaredRoute, "pattern">, values: Record<string, string>): string {
  return route.pattern.replace(/\[(\w+)\]/g, (_, name: string) => encodeURIComponent(values[name] ?? ""));
}
