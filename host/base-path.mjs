// The path prefix (HIVE_BASE_PATH) as the HTTP host applies it: requests arrive with the prefix (the ingress passes
// paths through unchanged) and Next, built for the root, sees them without it. server/config validates the same
// variable at boot; this module only normalises it the same way so the host can set Next's asset prefix first.

/** Probes answer at the root too: a kubelet or the image's HEALTHCHECK calls the pod directly, without the prefix. */
const ROOT_PROBES = new Set(["/dashboard-healthz", "/dashboard-livez"]);

export function basePathFromEnv(env = process.env) {
  return (env.HIVE_BASE_PATH ?? "").replace(/\/+$/, "");
}

/**
 * Where a request goes: `{ url }` to hand to Next (the prefix removed), `{ redirect }` for the bare prefix
 * (`/hive` → `/hive/`), or `{ notFound: true }` for a path outside the prefix.
 */
export function routeUnderBasePath(basePath, url) {
  if (!basePath) return { url };
  const queryAt = url.indexOf("?");
  const pathname = queryAt === -1 ? url : url.slice(0, queryAt);
  if (pathname === basePath) return { redirect: `${basePath}/${queryAt === -1 ? "" : url.slice(queryAt)}` };
  if (pathname.startsWith(`${basePath}/`)) return { url: url.slice(basePath.length) };
  if (ROOT_PROBES.has(pathname)) return { url };
  return { notFound: true };
}
