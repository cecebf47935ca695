import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { StateDb } from '../state/handle.js';
import { isBusy, waitWritable } from '../state/retry-busy.js';
import type { ReplyPublisher } from './reply-publisher.js';

/**
 * Runs flushes and read-backs one at a time. Kicks during a flush queue one more flush
 * (never more than one waiting), so a burst of webhooks costs a couple of passes.
 */
export class PublishLoop {
  private chain: Promise<void> = Promise.resolve();
  private flushQueued = false;
  private debounce: NodeJS.Timeout | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private stopped = false;

  constructor(
    private readonly publisher: ReplyPublisher,
    private readonly logger: Logger,
    private readonly debounceMs: number,
    /** When given, each pass first waits (asynchronously) until no other process holds the write lock. */
    private readonly db?: StateDb | undefined,
  ) {}

  kick(): void {
    if (this.stopped || this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      this.enqueueFlush();
    }, this.debounceMs);
  }

  enqueueFlush(): void {
    if (this.stopped || this.flushQueued) return;
    this.flushQueued = true;
    this.enqueue(async () => {
      this.flushQueued = false;
      const report = await this.publisher.flush();
      if (Object.values(report).some((n) => n > 0)) this.logger.info('replies flushed', { ...report });
    });
  }

  enqueueReadBack(): void {
    if (this.stopped) return;
    this.enqueue(async () => {
      const report = await this.publisher.readBack();
      if (report.checked > 0) this.logger.info('replies read back', { ...report });
    });
  }

  every(ms: number, task: () => void): void {
    const t = setInterval(task, ms);
    t.unref();
    this.timers.push(t);
  }

  /** Resolves when everything queued so far has run. */
  idle(): Promise<void> {
    return this.chain;
  }

  /** No new work; the running task finishes, queued ones are left to the next run. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = undefined;
    for (const t of this.timers) clearInterval(t);
    await this.chain;
  }

  private enqueue(task: () => Promise<void>): void {
    this.chain = this.chain.then(async () => {
      // Stopping: only the running task finishes; what is left stays in the outbox for the next run.
      if (this.stopped) return;
      try {
        if (this.db) await waitWritable(this.db, { deadlineMs: 60_000, maxPauseMs: 500 });
        await task();
      } catch (err) {
        // A lock taken by another process mid-pass: the rows stay due and the next pass takes them.
        if (isBusy(err))
          this.logger.warn('publishing paused: the state database is locked by another process', {
            error: errorMessage(err),
          });
        else this.logger.error('publishing replies failed', { error: errorMessage(err) });
      }
    });
  }
}
