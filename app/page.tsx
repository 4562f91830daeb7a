import { redirect } from "next/navigation";
import { getApp } from "@/server/app";
import { currentOperator } from "@/server/http/page-auth";
import { buildDashboardState } from "@/server/services/dashboard/build-dashboard-state";
import { DashboardClient } from "./dashboard-client";
import { Providers } from "./providers";

export const dynamic = "force-dynamic";

export default async function DashboardPage() {
  const { context } = await getApp();
  const actor = await currentOperator(context);
  if (!actor) redirect(`${context.config.basePath}/login`);
  const state = await buildDashboardState({ ctx: { ...context, actor, signal: new AbortController().signal }, input: undefined });
  return (
    <Providers>
      <DashboardClient initialState={state} />
    </Providers>
  );
}
