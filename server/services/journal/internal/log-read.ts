import "server-only";
import type { LogSource } from "../../../contracts/journal";
import type { LogCursor, RawLogLine } from "../../../runtime/types";

/** A log read under way: its lines as the engine sends them, then where a follow continues from. */
export type LogRead = {
  agent: string;
  source: LogSource;
  requested: number;
  /** Whether the answer shows each line's stamp (the cursor is made from them either way). */
  timestamps: boolean;
  lines: AsyncIterable<RawLogLine[]>;
  /** Valid once `lines` is read to its end. */
  cursor(): LogCursor;
};
