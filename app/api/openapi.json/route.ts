import { withRoute } from "@/server/http/with-route";
import { describeApi } from "@/server/openapi/document";

export const dynamic = "force-dynamic";

// GET /api/openapi.json: the REST API as OpenAPI 3.1, generated from the routes' zod contracts. Public: it holds no secret.
export const GET = withRoute({ auth: "public" }, async ({ ctx }) => describeApi(ctx.config.publicUrl));
