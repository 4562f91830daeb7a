import type { IncomingMessage, ServerResponse } from "node:http";

type NextHandle = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export function unsafePathReason(url: string | undefined): string | null;
export function sendJsonError(res: ServerResponse, status: number, code: string, message: string, headers?: Record<string, string>): void;
export function routeRequest(req: IncomingMessage, res: ServerResponse, handle: NextHandle, options?: { https?: boolean }): Promise<void>;
export const NONCE_HEADER: string;
export function pagePolicy(nonce: string): string;
