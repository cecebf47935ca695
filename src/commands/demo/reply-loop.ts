/**
 * The reply half of the demo: serve-hook in this process, the Omnidesk channel webhook
 * pointed at it, an agent's reply played in one case per store, and each answer followed
 * until the store shows it published.
 */
import type { ConfigLocation } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { type StoreId } from '../../domain/review.js';
import { storeNames } from '../../connectors/stores/registry.js';
import { buildServices } from '../../engine/wiring.js';
import { answerInStore, type DemoReply, type DemoWorld } from '../../emulators/demo.js';
import type { Logger } from '../../log.js';
import type { StateDb } from '../../state/handle.js';
import { sqliteUsageLedger } from '../../state/usage.js';
import { sleep } from '../../util/sleep.js';
import { startServeHook, type RunningServeHook } from '../../server/serve-hook.js';
import { noteBody } from '../../engine/reply-notes.js';

export interface ReplyOutcome {
  store: StoreId;
  caseId: number;
  author: string;
  agentText: string;
  /** Outbox state when we stopped waiting. */
  state: string;
  /** The answer as the store emulator now has it. */
  inStore: { state: string; text: string } | undefined;
  notes: string[];
}

export async function startListener(
  world: DemoWorld,
  config: Config,
  location: ConfigLocation,
  db: StateDb,
  logger: Logger,
): Promise<RunningServeHook & { closeServices(): Promise<void> }> {
  const services = buildServices(config, location, logger, { usage: sqliteUsageLedger(db) });
  // Short intervals: the demo waits for delayed publication and moderation to be read back.
  const hook = await startServeHook({
    db,
    config,
    services,
    logger,
    host: '127.0.0.1',
    port: 0,
    debounceMs: 50,
    readBackIntervalMs: 250,
    retryIntervalMs: 1_000,
  });
  world.omnidesk.setChannelWebhook(
    config.omnidesk!.channel!,
    `${hook.server.url}/omnidesk/webhook/${config.webhook.secret!}`,
  );
  return { ...hook, closeServices: () => services.close() };
}

/** Plays the agent's replies and waits (bounded) until each one is published in its store. */
export async function replyInEachStore(
  world: DemoWorld,
  hook: RunningServeHook,
  timeoutMs = 15_000,
): Promise<ReplyOutcome[]> {
  const targets = world.replies.filter((r): r is DemoReply & { target: StoreId } => r.target !== 'no-credentials');
  const sent: { reply: DemoReply & { target: StoreId }; caseId: number; messageId: number }[] = [];
  for (const reply of targets) {
    const c = world.omnidesk.cases().find((x) => x.userCustomId === reply.reviewKey);
    if (!c) throw new Error(`no Omnidesk case for ${reply.reviewKey}: the first sync should have made it`);
    const { messageId, webhookStatus, webhookError } = await world.omnidesk.addStaffReply(c.caseId, reply.text);
    if (webhookStatus !== 200)
      throw new Error(
        `the Omnidesk emulator could not deliver the webhook (${webhookStatus ?? webhookError ?? 'no answer'})`,
      );
    sent.push({ reply, caseId: c.caseId, messageId });
  }
  const outbox = hook.publisher.outbox;
  const final = async (id: number): Promise<boolean> =>
    ['published', 'rejected', 'refused', 'failed'].includes((await outbox.get(id))?.state ?? '');
  const allFinal = async (): Promise<boolean> => {
    for (const s of sent) if (!(await final(s.messageId))) return false;
    return true;
  };
  const end = Date.now() + timeoutMs;
  while (!(await allFinal()) && Date.now() < end) await sleep(50);
  // The last outcome note is written right after the state; let it land.
  await hook.loop.idle();

  const states = new Map<number, string>();
  for (const s of sent) states.set(s.messageId, (await outbox.get(s.messageId))?.state ?? 'unknown');
  return sent.map(({ reply, caseId, messageId }) => ({
    store: reply.target,
    caseId,
    author: reply.author,
    agentText: reply.text,
    state: states.get(messageId) ?? 'unknown',
    inStore: answerInStore(world, reply.target, reply.reviewId),
    // The outcome notes of the reply (marked with its message id), not the case's draft.
    notes: world.omnidesk
      .messages(caseId)
      .filter((m) => m.note && m.content.includes(`[ref ${messageId}/`))
      .map((m) => noteBody(m.content)),
  }));
}

export function storeLabel(store: StoreId): string {
  return storeNames[store];
}
