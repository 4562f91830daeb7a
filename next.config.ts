import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native and worker-thread packages must be loaded from node_modules at run time, not bundled.
  serverExternalPackages: ["pg", "@electric-sql/pglite", "dockerode", "ssh2", "cpu-features", "pino"],
  // server.mjs compresses (hashed assets precompressed, pages and JSON on the fly, never an event stream).
  compress: false,
  // The container image runs from the traced standalone tree (with server.mjs traced beside it).
  output: "standalone",
  // No image optimizer (the page has no raster images), so the image needs no sharp and no libvips.
  images: { unoptimized: true },
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
};

export default nextConfig;
