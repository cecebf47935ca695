/** Polls `cond` until it holds or `ms` pass; the caller decides whether a timeout fails the test. */
export async function until(cond: () => boolean | Promise<boolean>, ms: number, stepMs = 2): Promise<boolean> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return true;
}

/** `until`, failing with `what` when the condition never holds. */
export async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, what = 'condition'): Promise<void> {
  if (!(await until(cond, ms, 5))) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}
