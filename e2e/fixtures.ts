import { randomBytes } from "node:crypto";
import { test as base, expect, type Page } from "@playwright/test";
import Docker from "dockerode";

export const OPERATOR_TOKEN = "hive_op_e2e-operator-token-0123456789";
export const docker = new Docker({ socketPath: "/var/run/docker.sock" });
export const TEST_IMAGE = "hive-test-agent:latest";

/** Logs in the way an operator does: the printed login URL with the token in its fragment. */
export async function loginAsOperator(page: Page) {
  await page.goto(`/login#token=${OPERATOR_TOKEN}`);
  await expect(page.getByRole("heading", { name: "Containers" })).toBeVisible();
}

type Fixtures = { prefix: string };

/** Each test gets a unique agent-name prefix; containers and volumes under it are removed afterwards. */
export const test = base.extend<Fixtures>({
  prefix: async ({}, use) => {
    const prefix = `e${randomBytes(3).toString("hex")}`;
    await use(prefix);
    const containers = await docker.listContainers({ all: true, filters: { label: ["hive.agent"] } });
    await Promise.all(
      containers
        .filter((container) => container.Labels["hive.agent"]?.startsWith(prefix))
        .map((container) => docker.getContainer(container.Id).remove({ force: true }).catch(() => undefined)),
    );
    const { Volumes } = await docker.listVolumes({ filters: { label: ["hive.state"] } });
    await Promise.all(
      (Volumes ?? [])
        .filter((volume) => volume.Labels?.["hive.state"]?.startsWith(prefix))
        .map((volume) => docker.getVolume(volume.Name).remove().catch(() => undefined)),
    );
  },
});

export { expect };
