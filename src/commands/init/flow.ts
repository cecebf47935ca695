/**
 * The order of the steps: all of them on a first run; on a re-run a menu (one step, all in
 * order, or "continue" from the first unfinished one, which is marked) until the user is done.
 * Each step saves what it got. The end says "All set." only when the config can deliver and
 * every check of this run passed; otherwise it lists what remains and how to finish it.
 */
import type { StoreId } from '../../domain/review.js';
import { missingForDelivery } from '../../config/complete.js';
import { parseConfig } from '../../config/load.js';
import type { StepId } from './messages.js';
import { appsStep } from './steps/apps.js';
import { channelStep } from './steps/channel.js';
import { credentialsStep } from './steps/credentials.js';
import { endpointsStep } from './steps/endpoints.js';
import { filtersStep } from './steps/filters.js';
import { omnideskStep } from './steps/omnidesk.js';
import { endpointName, webhookUrl } from './questions.js';
import type { CheckName, Wizard } from './wizard.js';

export const stepOrder: readonly StepId[] = ['omnidesk', 'channel', 'apps', 'filters', 'credentials', 'endpoints'];

export async function runStep(w: Wizard, step: StepId, mode: 'all' | 'pick'): Promise<void> {
  w.say(w.t.stepTitle(stepOrder.indexOf(step) + 1, step));
  switch (step) {
    case 'omnidesk':
      return omnideskStep(w);
    case 'channel':
      return channelStep(w);
    case 'apps':
      return appsStep(w);
    case 'filters':
      return filtersStep(w, mode);
    case 'credentials':
      return credentialsStep(w);
    case 'endpoints':
      return endpointsStep(w, mode);
  }
}

/** Whether the saved draft has what a step sets (optional steps always count as finished). */
export function stepFinished(w: Pick<Wizard, 'draft' | 'env'>, step: StepId): boolean {
  const o = w.draft.omnidesk;
  const apps = w.draft.apps ?? [];
  switch (step) {
    case 'omnidesk':
      return Boolean(o?.subdomain && o.staffEmail && (o.apiKey || w.env.ASODESK_OMNI_OMNIDESK_API_KEY));
    case 'channel':
      return Boolean(
        o?.channel && o.caseFieldId !== undefined && (w.draft.webhook?.secret || w.env.ASODESK_OMNI_WEBHOOK_SECRET),
      );
    case 'apps':
      return apps.length > 0;
    case 'filters':
      return apps.length > 0 && apps.every((a) => a.filters !== undefined);
    case 'credentials':
    case 'endpoints':
      return true;
  }
}

export function firstUnfinished(w: Pick<Wizard, 'draft' | 'env'>): StepId | undefined {
  return stepOrder.find((s) => !stepFinished(w, s));
}

export async function runWizard(w: Wizard, firstRun: boolean): Promise<void> {
  if (firstRun) {
    w.say(w.t.intro(w.location.configPath));
    for (const step of stepOrder) await runStep(w, step, 'all');
    finish(w);
    return;
  }
  w.say(w.t.editIntro(w.location.configPath));
  for (;;) {
    const resumeAt = firstUnfinished(w);
    const choice = await w.prompt.select<StepId | 'all' | 'done' | 'resume'>({
      message: w.t.menu.question,
      choices: [
        ...(resumeAt
          ? [
              {
                name: `${w.t.menu.resume} (${stepOrder.indexOf(resumeAt) + 1}. ${w.t.stepNames[resumeAt]})`,
                value: 'resume' as const,
              },
            ]
          : []),
        { name: w.t.menu.all, value: 'all' },
        ...stepOrder.map((s, i) => ({
          name: `${i + 1}. ${w.t.stepNames[s]}${stepFinished(w, s) ? '' : ` ${w.t.menu.unfinished}`}`,
          value: s,
        })),
        { name: w.t.menu.done, value: 'done' },
      ],
      default: resumeAt ? 'resume' : undefined,
    });
    if (choice === 'done') break;
    if (choice === 'all' || choice === 'resume') {
      const from = choice === 'resume' && resumeAt ? stepOrder.indexOf(resumeAt) : 0;
      for (const step of stepOrder.slice(from)) await runStep(w, step, 'all');
      break;
    }
    await runStep(w, choice, 'pick');
  }
  finish(w);
}

function checkLabel(w: Wizard, check: CheckName): string {
  if (check === 'omnidesk') return w.t.stepNames.omnidesk;
  if (check === 'channel' || check === 'caseField')
    return check === 'channel' ? w.t.stepNames.channel : w.t.finish.missing['omnidesk.caseFieldId'];
  if (check.startsWith('app:')) return w.t.what.app(check.split(':').slice(2).join(':'));
  if (check.startsWith('credentials:'))
    return w.t.credentials.action(check.slice('credentials:'.length) as StoreId).replace(/:$/, '');
  return endpointName(w.lang, check.slice('endpoint:'.length));
}

function finish(w: Wizard): void {
  const t = w.t.finish;
  const flag = w.configFlag();
  const { config, problems } = parseConfig(w.draft, w.env);
  const missing = config
    ? missingForDelivery(config).map((m) => t.missing[m.path as keyof typeof t.missing] ?? `${m.path}: ${m.message}`)
    : problems.map((p) => `${p.path}: ${p.message}`);
  const failed = [...w.checks].filter(([, passed]) => !passed).map(([name]) => checkLabel(w, name));
  w.say(w.t.saved(w.location.configPath));
  const { publicUrl, secret } = w.draft.webhook ?? {};
  if (publicUrl && secret) {
    w.say(w.t.channel.pasteUrl(w.draft.omnidesk?.channelTitle ?? w.draft.omnidesk?.channel ?? ''));
    w.sayUnredacted(`  ${webhookUrl(publicUrl, w.env.ASODESK_OMNI_WEBHOOK_SECRET || secret)}`);
  }
  if (missing.length === 0 && failed.length === 0) {
    w.say(t.title);
    w.say([t.next, t.checkCmd(flag), t.sync(flag), t.serve(flag)].join('\n'));
    return;
  }
  if (missing.length > 0) w.say([t.incomplete, ...missing.map((m) => t.check(m))].join('\n'));
  if (failed.length > 0) w.say([t.failedChecks, ...failed.map((f) => t.check(f))].join('\n'));
  w.say(t.finishWith(flag));
}
