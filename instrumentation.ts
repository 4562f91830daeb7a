// Runs once when the server process starts (before it serves a request): boots the dashboard.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { bootFromEntryPoint } = await import("./server/boot");
  await bootFromEntryPoint();
}
