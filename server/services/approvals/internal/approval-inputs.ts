import "server-only";
import { z } from "zod";

export const ApprovalTarget = z.object({ id: z.string().min(1).max(100) });
export type ApprovalTarget = z.infer<typeof ApprovalTarget>;
