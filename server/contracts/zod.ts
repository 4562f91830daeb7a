import { z } from "zod";

// The page's Content-Security-Policy forbids eval, and zod probes for it (`Function("")`) when it builds its
// first object schema, which the browser reports as a violation. In the browser zod runs without that fast
// path; the server keeps it. Every contract takes `z` from here, so this runs before any schema is built.
if (typeof window !== "undefined") z.config({ jitless: true });

export { z };
