import { withRoute } from "@/server/http/with-route";
import { createEmbeddedBackup } from "@/server/services/backups/create-embedded-backup";

export const dynamic = "force-dynamic";

// POST /api/backup: the embedded database's backup as a download (npm run backup calls it). Operators only, audited.
export const POST = withRoute({ auth: "operator", action: "backup.create" }, async ({ ctx }) => {
  const backup = await createEmbeddedBackup({ ctx, input: undefined });
  return new Response(backup.body, {
    headers: {
      "Content-Type": "application/gzip",
      "Content-Length": String(backup.bytes),
      "Content-Disposition": `attachment; filename="${backup.fileName}"`,
    },
  });
});
