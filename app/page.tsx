import { redirect } from "next/navigation";
import { getApp } from "@/server/app";
import { currentOperator } from "@/server/http/page-auth";
import { buildDashboardState } from "@/server/services/build-dashboard-state";
import { DashboardClient } from "./dashboard-client";
import { Providers } from "./providers";

export const dynamic = "force-dynamic";

export default async function DashboardPage() {
  const app = await getApp();
  const actor = await currentOperator(app);
  if (!actor) redirect("/login");
  const state = await buildDashboardState({ app, actor });
  return (
    <Providers>
      <DashboardClient initialState={state} />
    </Providers>
  );
}
