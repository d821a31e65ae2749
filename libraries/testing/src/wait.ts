/**
 * Polls `check` until it returns true, or fails once `timeoutMs` has passed: a test waits for a state
 * rather than for a fixed delay, so a loaded machine only makes it slower, never wrong.
 */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000, intervalMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
