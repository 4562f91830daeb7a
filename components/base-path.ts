/**
 * The path prefix the dashboard is served under ("" at a host's root, else like "/hive"), chosen when the server
 * starts (HIVE_BASE_PATH) and written by the root layout on <html data-base-path>. Browser code only.
 */
export function basePath(): string {
  return typeof document === "undefined" ? "" : (document.documentElement.dataset.basePath ?? "");
}

/** One of the dashboard's own absolute paths ("/api/state", "/login") under its base path. */
export const appPath = (path: string) => `${basePath()}${path}`;
