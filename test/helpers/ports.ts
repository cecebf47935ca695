/**
 * A port that refuses connections for as long as a test needs it. An ephemeral port freed by a
 * test (a stopped emulator, a listener opened and closed) can be taken by the next listener of
 * a test running beside it, which then answers; port 1 (tcpmux) is served by nothing here.
 */
export const refusingPort = 1;

/** `text` with every loopback address pointed at the refusing port. */
export function withRefusedLoopback(text: string): string {
  return text.replace(/127\.0\.0\.1:\d+/g, `127.0.0.1:${refusingPort}`);
}
