import { getConfig } from "@/server/config";

export const metadata = { title: "Not found · Hive Dashboard" };

// Our own 404 page: Next's default one styles itself inline, which the pages' Content-Security-Policy refuses.
export default function NotFound() {
  // Our own URLs carry the base path (HIVE_BASE_PATH): under /hive/, a bare /favicon.svg is outside the dashboard.
  const { basePath } = getConfig();
  return (
    <main className="login-wrap">
      <div className="login-card">
        <div className="brand">
          <img src={`${basePath}/favicon.svg`} alt="" />
          <span>Hive Dashboard</span>
        </div>
        <h1>Page not found</h1>
        <p className="muted">
          Nothing lives at this address. <a href={`${basePath}/`}>Back to the dashboard</a>
        </p>
      </div>
    </main>
  );
}
