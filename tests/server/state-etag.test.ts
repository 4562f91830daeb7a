import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchDashboardState } from "@/components/queries/fetch-dashboard-state";
import { askQuestion, mintAgentToken, type ServerProcess, startServer, TEST_OPERATOR_TOKEN } from "../helpers/server";

// The page's own state reader (the function its TanStack query runs), driven against a real server.
describe("the page's conditional reads of /api/state", () => {
  let server: ServerProcess;
  let url: string;
  const asOperator: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set("authorization", `Bearer ${TEST_OPERATOR_TOKEN}`);
    return fetch(input, { ...init, headers });
  };

  beforeAll(async () => {
    server = await startServer();
    url = `${server.baseUrl}/api/state`;
  });
  afterAll(() => server?.stop());

  it("answers 304 with the held state while nothing changes", async () => {
    // The engine is shared with the other test files, whose agents come and go: a read that found the fleet changed
    // is tried again, a few times at most.
    let outcome: { statuses: number[]; first: unknown; again: unknown } | undefined;
    for (let attempt = 0; attempt < 5 && !(outcome && outcome.statuses.join() === "304"); attempt++) {
      const first = await fetchDashboardState({ previous: undefined, url, fetchImpl: asOperator });
      const statuses: number[] = [];
      const counting: typeof fetch = async (input, init) => {
        const response = await asOperator(input, init);
        statuses.push(response.status);
        return response;
      };
      const again = await fetchDashboardState({ previous: first, url, fetchImpl: counting });
      outcome = { statuses, first: { ...first, serverTime: null }, again: { ...again, serverTime: null } };
    }
    expect(outcome!.statuses).toEqual([304]);
    expect(outcome!.again).toEqual(outcome!.first);
  });

  it("never trades the held state for a newer tag whose body was dropped (a refetch cancelled mid-body)", async () => {
    const shown = await fetchDashboardState({ previous: undefined, url, fetchImpl: asOperator });
    const { token } = await mintAgentToken(server, "etag-asker");
    const { id } = await askQuestion(server, token, { question: "Is the page current?" });

    // The newer state's headers arrive, then the refetch is cancelled before its body is read.
    const controller = new AbortController();
    const cancelledAfterHeaders: typeof fetch = async (input, init) => {
      const response = await asOperator(input, { ...init, signal: controller.signal });
      controller.abort();
      return response;
    };
    await expect(fetchDashboardState({ previous: shown, url, fetchImpl: cancelledAfterHeaders })).rejects.toMatchObject({ name: "AbortError" });

    // The next read still asks relative to what is shown, so it gets the change instead of a 304.
    const next = await fetchDashboardState({ previous: shown, url, fetchImpl: asOperator });
    expect(next.questions.pending.map((question) => question.id)).toContain(id);
  });
});
