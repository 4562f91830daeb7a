import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native and worker-thread packages must be loaded from node_modules at run time, not bundled.
  serverExternalPackages: ["pg", "@electric-sql/pglite", "dockerode", "ssh2", "cpu-features", "pino"],
  // Server-sent event streams must not be buffered by compression.
  compress: false,
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
};

export default nextConfig;
