/**
 * The order of the steps: all of them on a first run; on a re-run a menu (one step, or all
 * in order) until the user is done. Each step saves what it got before the next one starts.
 */
import type { StepId } from './messages.js';
import { appsStep } from './steps/apps.js';
import { channelStep } from './steps/channel.js';
import { credentialsStep } from './steps/credentials.js';
import { filtersStep } from './steps/filters.js';
import { omnideskStep } from './steps/omnidesk.js';
import { webhookUrl } from './questions.js';
import type { Wizard } from './wizard.js';

export const stepOrder: readonly StepId[] = ['omnidesk', 'channel', 'apps', 'filters', 'credentials'];

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
  }
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
    const choice = await w.prompt.select<StepId | 'all' | 'done'>({
      message: w.t.menu.question,
      choices: [
        { name: w.t.menu.all, value: 'all' },
        ...stepOrder.map((s, i) => ({ name: `${i + 1}. ${w.t.stepNames[s]}`, value: s })),
        { name: w.t.menu.done, value: 'done' },
      ],
    });
    if (choice === 'done') break;
    if (choice === 'all') {
      for (const step of stepOrder) await runStep(w, step, 'all');
      break;
    }
    await runStep(w, choice, 'pick');
  }
  finish(w);
}

function finish(w: Wizard): void {
  const t = w.t.finish;
  const flag = w.configFlag();
  w.say(t.title);
  w.say(w.t.saved(w.location.configPath));
  const { publicUrl, secret } = w.draft.webhook ?? {};
  if (publicUrl && secret) {
    w.say(w.t.channel.pasteUrl(w.draft.omnidesk?.channelTitle ?? w.draft.omnidesk?.channel ?? ''));
    w.sayUnredacted(`  ${webhookUrl(publicUrl, w.env.ASODESK_OMNI_WEBHOOK_SECRET || secret)}`);
  }
  w.say([t.next, t.check(flag), t.sync(flag), t.serve(flag)].join('\n'));
}
