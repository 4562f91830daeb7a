import "server-only";
import { BlockList, isIPv4, isIPv6 } from "node:net";

/**
 * Who connected and through what. The socket address comes from server.mjs (a client-sent copy of that header
 * is overwritten); `X-Forwarded-For/-Proto/-Host` count only when the socket peer is one of
 * HIVE_TRUSTED_PROXIES, else anyone could claim any address, scheme or host.
 */
export const REMOTE_ADDRESS_HEADER = "x-hive-remote-addr";

function normalizeAddress(address: string): string {
  const trimmed = address.trim().replace(/^\[(.*)\]$/, "$1");
  return trimmed.startsWith("::ffff:") && isIPv4(trimmed.slice(7)) ? trimmed.slice(7) : trimmed;
}

const blockLists = new WeakMap<string[], BlockList>();
function trustedProxyList(entries: string[]): BlockList {
  let list = blockLists.get(entries);
  if (!list) {
    list = new BlockList();
    for (const entry of entries) {
      const [address = "", prefix] = entry.split("/");
      const family = isIPv6(address) ? "ipv6" : "ipv4";
      if (prefix === undefined) list.addAddress(normalizeAddress(address), family);
      else list.addSubnet(address, Number(prefix), family);
    }
    blockLists.set(entries, list);
  }
  return list;
}

export function isTrustedProxy(address: string | null | undefined, entries: string[]): boolean {
  if (!address || entries.length === 0) return false;
  const normalized = normalizeAddress(address);
  const family = isIPv6(normalized) ? "ipv6" : isIPv4(normalized) ? "ipv4" : null;
  return family !== null && trustedProxyList(entries).check(normalized, family);
}

/** The address at the other end of the socket (the proxy, when one is in front). */
export function peerAddress(request: Request): string {
  return normalizeAddress(request.headers.get(REMOTE_ADDRESS_HEADER) ?? "") || "unknown";
}

export const fromTrustedProxy = (request: Request, trustedProxies: string[]) => isTrustedProxy(peerAddress(request), trustedProxies);

/**
 * The client's address: the socket peer, or behind trusted proxies the nearest `X-Forwarded-For` hop that is not
 * one of them (hops further left were written by the client and prove nothing).
 */
export function clientAddress(request: Request, trustedProxies: string[]): string {
  const peer = peerAddress(request);
  if (!isTrustedProxy(peer, trustedProxies)) return peer;
  const hops = (request.headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map(normalizeAddress)
    .filter(Boolean);
  for (let index = hops.length - 1; index >= 0; index--) {
    const hop = hops[index]!;
    if (!isIPv4(hop) && !isIPv6(hop)) return peer;
    if (!isTrustedProxy(hop, trustedProxies)) return hop;
  }
  return hops[0] ?? peer;
}

const firstValue = (value: string | null) => value?.split(",")[0]?.trim().toLowerCase() || null;

/** The scheme the client used, as a trusted proxy reports it; null when the request did not come through one. */
export function forwardedProto(request: Request, trustedProxies: string[]): "http" | "https" | null {
  if (!fromTrustedProxy(request, trustedProxies)) return null;
  const proto = firstValue(request.headers.get("x-forwarded-proto"));
  return proto === "https" || proto === "http" ? proto : null;
}

/** The host the client asked for, as a trusted proxy reports it; null when the request did not come through one. */
export function forwardedHost(request: Request, trustedProxies: string[]): string | null {
  if (!fromTrustedProxy(request, trustedProxies)) return null;
  const host = firstValue(request.headers.get("x-forwarded-host"));
  return host && /^[a-z0-9.\-[\]:]+$/.test(host) ? host : null;
}
