/**
 * The figures monitoring watches, read from the state only: the last finished sync (per app:
 * reviews fetched, delivered, set aside, failed; duration; Omnidesk calls left), the last good
 * sync, and the reply outbox. `status --json`, `sync --metrics-file` and serve-hook's /metrics
 * show the same figures. Labels hold app ids and store ids only: never a secret or review text.
 */
import { z } from 'zod';
import type { StateDb } from '../state/handle.js';
import { lastFinishedRun, lastSuccessfulSync, oldestPendingReply } from '../state/metrics.js';
import { ReplyOutbox } from '../state/replies.js';

export interface AppFigures {
  app: string;
  store: string;
  fetched: number;
  /** Cases created and updated. */
  delivered: number;
  setAside: number;
  failed: number;
}

export interface MetricsSnapshot {
  sync: {
    lastRunAt: string | null;
    outcome: string | null;
    durationSeconds: number | null;
    lastSuccessAt: string | null;
    /** Omnidesk's `api_calls_left` as the last sync saw it. */
    omnideskQuotaLeft: number | null;
    apps: AppFigures[];
  };
  replies: {
    /** Replies still to publish (pending, or being published). */
    outboxDepth: number;
    oldestPendingAgeSeconds: number | null;
  };
}

/** The part of a stored sync report read here (our own JSON; checked, so an old format reads as empty). */
const storedReport = z.object({
  apps: z
    .array(
      z.object({
        app: z.string(),
        store: z.string(),
        fetched: z.number(),
        created: z.number(),
        updated: z.number(),
        setAside: z.number().default(0),
        failed: z.number(),
      }),
    )
    .default([]),
  omnideskQuotaLeft: z.number().optional(),
});

export async function metricsSnapshot(db: StateDb, now: number = Date.now()): Promise<MetricsSnapshot> {
  const run = await lastFinishedRun(db, 'sync');
  let report: z.infer<typeof storedReport> | undefined;
  try {
    const parsed = storedReport.safeParse(run?.reportJson ? JSON.parse(run.reportJson) : undefined);
    report = parsed.success ? parsed.data : undefined;
  } catch {
    report = undefined;
  }
  const counts = await new ReplyOutbox(db).counts();
  const oldest = await oldestPendingReply(db);
  const lastSuccessAt = await lastSuccessfulSync(db);
  return {
    sync: {
      lastRunAt: run?.finishedAt ?? null,
      outcome: run?.outcome ?? null,
      durationSeconds: run ? (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000 : null,
      lastSuccessAt,
      omnideskQuotaLeft: report?.omnideskQuotaLeft ?? null,
      apps: (report?.apps ?? []).map((a) => ({
        app: a.app,
        store: a.store,
        fetched: a.fetched,
        delivered: a.created + a.updated,
        setAside: a.setAside,
        failed: a.failed,
      })),
    },
    replies: {
      outboxDepth: counts.pending + counts.sending,
      oldestPendingAgeSeconds: oldest === null ? null : Math.max(0, (now - Date.parse(oldest)) / 1000),
    },
  };
}
