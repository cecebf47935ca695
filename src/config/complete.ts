/**
 * A valid config can still be unable to deliver anything: no Omnidesk account or key, no
 * channel, no case field, no app. `config check`, `sync` and the wizard report these the same
 * way: the field, what is missing, and the `init` step that fills it in.
 */
import type { Config } from './schema.js';

export type InitStep = 'omnidesk' | 'channel' | 'apps';

export interface MissingSetting {
  path: string;
  message: string;
  /** The wizard step that sets it (`asodesk-omni init`, then that step in the menu). */
  step: InitStep;
}

const stepNumber: Record<InitStep, number> = { omnidesk: 1, channel: 2, apps: 3 };
const stepName: Record<InitStep, string> = {
  omnidesk: 'Omnidesk account',
  channel: 'Custom channel and webhook',
  apps: 'Apps',
};

/** What the config lacks before `sync` can create a case; empty when it can deliver. */
export function missingForDelivery(config: Config): MissingSetting[] {
  const missing: MissingSetting[] = [];
  const o = config.omnidesk;
  if (!o) missing.push({ path: 'omnidesk', message: 'the Omnidesk account is not set up', step: 'omnidesk' });
  else {
    if (!o.apiKey)
      missing.push({
        path: 'omnidesk.apiKey',
        message: 'no API key (config or ASODESK_OMNI_OMNIDESK_API_KEY)',
        step: 'omnidesk',
      });
    if (!o.channel)
      missing.push({
        path: 'omnidesk.channel',
        message: 'no custom channel chosen: cases cannot be created',
        step: 'channel',
      });
    if (o.caseFieldId === undefined)
      missing.push({
        path: 'omnidesk.caseFieldId',
        message: 'no case field named like the channel: cases cannot be linked to their reviews',
        step: 'channel',
      });
  }
  if (config.apps.length === 0)
    missing.push({ path: 'apps', message: 'no app connected: sync has nothing to read', step: 'apps' });
  else if (!config.apps.some((a) => a.enabled))
    missing.push({ path: 'apps', message: 'every app is switched off (enabled: false)', step: 'apps' });
  return missing;
}

/** `run \`asodesk-omni init\` (step 2: Custom channel and webhook)` for the first missing step. */
export function howToFinish(missing: readonly MissingSetting[], configFlag = ''): string {
  const steps = [...new Set(missing.map((m) => m.step))];
  const named = steps.map((s) => `step ${stepNumber[s]}: ${stepName[s]}`).join(', ');
  return `Run \`asodesk-omni init${configFlag}\` to finish it (${named}); it resumes where the setup stopped.`;
}

export function describeMissing(missing: readonly MissingSetting[]): string {
  return missing.map((m) => `  - ${m.path}: ${m.message}`).join('\n');
}
