// The Docker Engine API client the image scripts share (dockerode on DOCKER_HOST; never the docker CLI).
import Docker from "dockerode";

export function dockerClient() {
  const host = process.env.DOCKER_HOST;
  if (!host || host.startsWith("unix://")) return new Docker({ socketPath: host ? host.slice("unix://".length) : "/var/run/docker.sock" });
  const url = new URL(host.replace(/^tcp:/, "http:"));
  return new Docker({ host: url.hostname, port: Number(url.port || 2375), protocol: url.protocol.replace(":", "") });
}

/**
 * Reads an engine progress stream (build or import: JSON lines) to its end. Hands each `stream` text to `onText`;
 * throws the engine's error if it reports one. Returns the image id it announced, if any.
 */
export function followProgress(stream, onText = () => {}) {
  return new Promise((resolve, reject) => {
    let buffered = "";
    let imageId = null;
    let failure = null;
    const take = (line) => {
      if (!line.trim()) return;
      let message;
      try {
        message = JSON.parse(line);
      } catch {
        onText(`${line}\n`);
        return;
      }
      if (message.error || message.errorDetail) failure ??= message.error ?? message.errorDetail.message;
      if (message.stream) onText(message.stream);
      if (message.aux?.ID) imageId = message.aux.ID;
      if (typeof message.status === "string" && /^sha256:[0-9a-f]{64}$/.test(message.status)) imageId = message.status;
    };
    stream.on("data", (chunk) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      lines.forEach(take);
    });
    stream.on("end", () => {
      take(buffered);
      if (failure) reject(new Error(failure));
      else resolve(imageId);
    });
    stream.on("error", reject);
  });
}

export async function imageOrNull(docker, reference) {
  try {
    return await docker.getImage(reference).inspect();
  } catch (error) {
    if (error.statusCode === 404) return null;
    throw error;
  }
}
