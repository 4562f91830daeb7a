import "server-only";
import { z } from "zod";

export const QuestionTarget = z.object({ id: z.string().min(1).max(100) });
export type QuestionTarget = z.infer<typeof QuestionTarget>;
