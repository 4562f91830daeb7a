import { redirect } from "next/navigation";
import { getApp } from "@/server/app";
import { currentOperator } from "@/server/http/page-auth";
import { BrandMark } from "@/components/ui/brand-mark";
import { LoginForm } from "./login-form";

export const dynamic = "force-dynamic";
export const metadata = { title: "Log in · Hive Dashboard" };

export default async function LoginPage() {
  const { context } = await getApp();
  if (await currentOperator(context)) redirect(`${context.config.basePath}/`);
  return (
    <main className="login-wrap">
      <div className="login-card">
        <div className="brand">
          <BrandMark />
          <span>Hive Dashboard</span>
        </div>
        {context.config.auth.mode === "proxy" ? (
          <>
            <h1>Sign-in happens at your proxy</h1>
            <p className="muted">
              This dashboard trusts the identity your organisation&apos;s sign-in proxy sends. Open it through that
              proxy, or use an operator token with <span className="mono">Authorization: Bearer</span> for scripts.
            </p>
          </>
        ) : (
          <>
            <h1>Log in</h1>
            <LoginForm />
          </>
        )}
      </div>
    </main>
  );
}
