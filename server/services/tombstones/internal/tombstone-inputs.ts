import "server-only";
import { z } from "zod";
import { AgentName } from "../../../contracts/common";

export const TombstoneTarget = z.object({ name: AgentName });
export type TombstoneTarget = z.infer<typeof TombstoneTarget>;
