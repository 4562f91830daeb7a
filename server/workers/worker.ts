import "server-only";

/** A long-running loop owned by the process: started after boot, stopped on shutdown. */
export interface Worker {
  readonly name: string;
  start(): void | Promise<void>;
  stop(): Promise<void>;
}
