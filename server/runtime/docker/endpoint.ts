import "server-only";

export type DockerEndpoint = { socketPath: string } | { host: string; port: number; protocol: "http" | "https" };

/** Parses DOCKER_HOST (unix:///path, tcp://host:port, http(s)://host:port) into dockerode options. */
export function parseDockerHost(dockerHost: string): DockerEndpoint {
  if (dockerHost.startsWith("unix://")) return { socketPath: dockerHost.slice("unix://".length) };
  const url = new URL(dockerHost.replace(/^tcp:/, "http:"));
  const protocol = url.protocol === "https:" ? "https" : "http";
  return { host: url.hostname, port: Number(url.port || (protocol === "https" ? 2376 : 2375)), protocol };
}
