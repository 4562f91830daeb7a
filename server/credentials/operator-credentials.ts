import "server-only";
import type { Logger } from "pino";
import type { HiveConfig } from "../config";
import type { Database } from "../db/client";
import { revokeAllSessions } from "../db/queries/sessions";
import { getSetting, insertSettingOnce, putSetting } from "../db/queries/settings";
import { hashToken, newOperatorToken, randomSecret } from "../security/tokens";

export const OPERATOR_TOKEN_SETTING = "operator_token";
export const SESSION_SECRET_SETTING = "session_secret";

type StoredOperatorToken = { hash: string; source: "env" | "generated"; createdAt: string };

export type OperatorCredentials = { sessionSecret: string; operatorTokenHash: string | null };

/** The login URL carries the token in the fragment, which browsers never send to a server or a proxy log. */
export const loginUrlFor = (publicUrl: string, token: string) => `${publicUrl}/login#token=${token}`;

/**
 * Makes sure the operator can log in: the token from HIVE_OPERATOR_TOKEN, or one generated at first start
 * (only its hash is stored; the login URL is printed once), and a session signing secret.
 */
export async function ensureOperatorCredentials(
  db: Database,
  config: HiveConfig,
  logger: Logger,
  print: (text: string) => void,
): Promise<OperatorCredentials> {
  const sessionSecret =
    config.auth.sessionSecret ??
    (await insertSettingOnce(db, SESSION_SECRET_SETTING, { secret: randomSecret(48) })).value.secret;

  if (config.auth.mode === "proxy" && !config.auth.operatorToken) {
    const stored = await getSetting<StoredOperatorToken>(db, OPERATOR_TOKEN_SETTING);
    logger.info({ authMode: "proxy", proxyUserHeader: config.auth.proxyUserHeader }, "operators authenticate at the proxy");
    return { sessionSecret, operatorTokenHash: stored?.hash ?? null };
  }

  if (config.auth.operatorToken) {
    const hash = hashToken(config.auth.operatorToken);
    const stored = await getSetting<StoredOperatorToken>(db, OPERATOR_TOKEN_SETTING);
    if (stored?.hash !== hash) {
      await putSetting<StoredOperatorToken>(db, OPERATOR_TOKEN_SETTING, {
        hash,
        source: "env",
        createdAt: new Date().toISOString(),
      });
    }
    logger.info({ authMode: "token" }, `operator token taken from HIVE_OPERATOR_TOKEN; log in at ${config.publicUrl}/login`);
    return { sessionSecret, operatorTokenHash: hash };
  }

  const token = newOperatorToken();
  const outcome = await insertSettingOnce<StoredOperatorToken>(db, OPERATOR_TOKEN_SETTING, {
    hash: hashToken(token),
    source: "generated",
    createdAt: new Date().toISOString(),
  });
  if (outcome.inserted) {
    const url = loginUrlFor(config.publicUrl, token);
    logger.info({ authMode: "token" }, "operator token generated at first start; the login URL is printed once");
    print(
      [
        "",
        "  Hive Dashboard: an operator token was generated (it is stored hashed and shown only this once).",
        "  Open this URL to log in:",
        "",
        `      ${url}`,
        "",
        "  Lost it? Stop the dashboard and run `npm run operator:token` to issue a new one.",
        "",
      ].join("\n"),
    );
  } else {
    logger.info(
      { authMode: "token" },
      `log in at ${config.publicUrl}/login with the operator token printed at first start (new one: npm run operator:token)`,
    );
  }
  return { sessionSecret, operatorTokenHash: outcome.value.hash };
}

/** Replaces the operator token with a new one, ends every session, and returns the new token. */
export async function rotateOperatorToken(db: Database): Promise<string> {
  const token = newOperatorToken();
  await db.transaction(async (tx) => {
    await putSetting<StoredOperatorToken>(tx, OPERATOR_TOKEN_SETTING, {
      hash: hashToken(token),
      source: "generated",
      createdAt: new Date().toISOString(),
    });
    await revokeAllSessions(tx, new Date());
  });
  return token;
}
