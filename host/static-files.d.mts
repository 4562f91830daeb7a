import type { IncomingMessage, ServerResponse } from "node:http";

export function acceptedEncodings(header: string | undefined): ("br" | "gzip")[];
export function createStaticFiles(staticRoot: string): (req: IncomingMessage, res: ServerResponse) => boolean;
