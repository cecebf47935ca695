/**
 * Step 2: the custom channel the reviews go to, serve-hook's public URL and the webhook
 * secret (the URL to paste into the channel), and the case text field named like the channel.
 */
import { randomBytes } from 'node:crypto';
import type { CustomChannel, Helpdesk } from '../../../connectors/helpdesk/types.js';
import { RemoteError } from '../../../errors.js';
import { findCaseField, isHttpUrl, setCaseField, setChannel, setWebhook, webhookUrl } from '../questions.js';
import type { Wizard } from '../wizard.js';
import { omnideskStep } from './omnidesk.js';

/** 192 random bits, URL-safe: at least the 128 bits the config requires. */
export function newWebhookSecret(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * Asks until the call works, or the user skips (undefined). A refused key or e-mail can be
 * typed again here (step 1 again), not only retried.
 */
async function withRetry<T>(
  w: Wizard,
  call: (helpdesk: Helpdesk) => Promise<T>,
  failed: (message: string) => string,
): Promise<T | undefined> {
  for (;;) {
    try {
      const helpdesk = w.helpdesk();
      return await w.busy(() => call(helpdesk));
    } catch (err) {
      w.say(failed(w.t.failure(err)));
      const refused = err instanceof RemoteError && err.kind === 'auth';
      const next = await w.prompt.select({
        message: w.t.omnidesk.whatNow,
        choices: [
          ...(refused ? [{ name: w.t.channel.reenterAccount, value: 'account' as const }] : []),
          { name: w.t.channel.recheck, value: 'again' as const },
          { name: w.t.channel.skip, value: 'skip' as const },
        ],
      });
      if (next === 'skip') return undefined;
      if (next === 'account') await omnideskStep(w);
    }
  }
}

async function pickChannel(w: Wizard): Promise<CustomChannel | undefined> {
  const t = w.t.channel;
  for (;;) {
    const channels = await withRetry(
      w,
      (helpdesk) => helpdesk.listCustomChannels(),
      (m) => t.listFailed(m),
    );
    if (channels === undefined) return undefined;
    if (channels.length > 0) {
      const current = w.draft.omnidesk?.channel;
      const id = await w.prompt.select({
        message: t.pick,
        choices: [
          ...channels.map((c) => ({ name: `${c.title} (${c.id})${c.active ? '' : ` ${t.inactive}`}`, value: c.id })),
          { name: t.skip, value: '' },
        ],
        default: channels.some((c) => c.id === current) ? current : channels[0]!.id,
      });
      // "Skip for now": the step is left as it was (the end of the wizard lists it as unfinished).
      return channels.find((c) => c.id === id);
    }
    w.say(t.none);
    const next = await w.prompt.select({
      message: w.t.omnidesk.whatNow,
      choices: [
        { name: t.recheck, value: 'again' },
        { name: t.skip, value: 'skip' },
      ],
    });
    if (next === 'skip') return undefined;
  }
}

export async function channelStep(w: Wizard): Promise<void> {
  const t = w.t.channel;
  // Without an account (or a key: e.g. it came from an env var that is gone) nothing can be listed.
  if (!w.draft.omnidesk || !(w.draft.omnidesk.apiKey || w.env.ASODESK_OMNI_OMNIDESK_API_KEY)) {
    w.say(t.needsAccount);
    await omnideskStep(w);
  }
  const channel = await pickChannel(w);
  if (!channel) {
    w.checks.delete('channel'); // not a failed check: the end lists the channel as missing
    w.say(t.skipped);
    return;
  }
  w.record('channel', true);
  w.draft = setChannel(w.draft, { id: channel.id, title: channel.title });
  w.saveAs(w.t.what.channel(channel.title, channel.id));

  const publicUrl = (
    await w.prompt.input({
      message: t.publicUrl,
      default: w.draft.webhook?.publicUrl,
      validate: (v) => (v.trim() === '' || isHttpUrl(v) ? true : t.publicUrlInvalid),
    })
  ).trim();
  // The env var wins at run time, so the URL shown must use it; it is not written to the file.
  const envSecret = w.env.ASODESK_OMNI_WEBHOOK_SECRET || undefined;
  const kept = w.draft.webhook?.secret;
  const secret = kept ?? newWebhookSecret();
  w.say(envSecret ? t.secretFromEnv : kept ? t.secretKept : t.secretNew);
  w.draft = setWebhook(w.draft, { publicUrl, secret });
  w.saveAs(w.t.what.webhook(publicUrl || undefined));
  if (publicUrl) {
    const url = webhookUrl(publicUrl, envSecret ?? secret);
    w.say(t.pasteUrl(channel.title));
    w.sayUnredacted(`  ${url}`);
    if (channel.webhookUrl === url) w.say(t.alreadySet);
  } else {
    w.say(t.urlLater('/omnidesk/webhook/'));
  }

  for (;;) {
    const fields = await withRetry(
      w,
      (helpdesk) => helpdesk.listCaseFields(),
      (m) => t.listFailed(m),
    );
    if (fields === undefined) {
      w.checks.delete('caseField');
      break;
    }
    const { field, nearMiss } = findCaseField(fields, channel.title);
    if (field) {
      w.draft = setCaseField(w.draft, field.fieldId);
      w.say(t.fieldFound(field.title, field.fieldId));
      w.record('caseField', true);
      break;
    }
    w.say(
      nearMiss ? t.fieldNearMiss(nearMiss.title, nearMiss.fieldType, nearMiss.level) : t.fieldMissing(channel.title),
    );
    if (nearMiss) w.say(t.fieldMissing(channel.title));
    const next = await w.prompt.select({
      message: w.t.omnidesk.whatNow,
      choices: [
        { name: t.recheck, value: 'again' },
        { name: t.skip, value: 'skip' },
      ],
    });
    if (next === 'skip') {
      w.draft = setCaseField(w.draft, undefined);
      w.say(t.fieldSkipped);
      w.checks.delete('caseField');
      break;
    }
  }
  w.saveAs(w.t.what.caseField(w.draft.omnidesk?.caseFieldId));
}
