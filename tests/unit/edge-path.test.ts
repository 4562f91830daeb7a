import { describe, expect, it } from "vitest";
import { unsafePathReason } from "@/server/http/edge.mjs";

describe("request paths refused before routing", () => {
  it("refuses dot segments, plain or encoded, and encoded separators or NUL", () => {
    for (const path of ["/api/agents/a/%2e%2e/b/stop", "/api/agents/a/%2E./b", "/api/./x", "/api/..", "/a%2fb", "/a%5Cb", "/a%00", "/a\\b", "relative"]) {
      expect(unsafePathReason(path), path).not.toBeNull();
    }
  });

  it("lets ordinary paths through, dots inside names and in the query included", () => {
    for (const path of ["/", "/api/agents/a.b/stop", "/api/agents/x...y", "/api/audit?limit=%2e%2e", "/_next/static/chunks/a.js"]) {
      expect(unsafePathReason(path), path).toBeNull();
    }
  });
});
