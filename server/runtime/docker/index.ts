import "server-only";
import type { RuntimeDriver } from "../driver";
import { DockerEnv, type DockerSettings, dockerSettings } from "./settings";

/** The Docker Engine API (a local socket or tcp://): every agent a container on one engine. */
export const dockerDriver: RuntimeDriver<DockerSettings> = {
  label: "Docker",
  env: DockerEnv,
  settings: dockerSettings,
  async create(settings, common) {
    const { DockerRuntime } = await import("./driver");
    return new DockerRuntime({ ...settings, ...common });
  },
};

export { LogDemuxer } from "./demultiplexer";
