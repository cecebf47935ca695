/**
 * Step 1: the Omnidesk account. Subdomain, API key (masked), admin e-mail, checked live at
 * once; a refusal says whether the key (401) or the e-mail (403) is wrong, and asks only that again.
 */
import { createOmnidesk } from '../../../connectors/helpdesk/omnidesk/index.js';
import type { ConnectorDeps } from '../../../connectors/deps.js';
import { errorMessage, RemoteError } from '../../../errors.js';
import { registerSecret } from '../../../log.js';
import type { AuthProblem } from '../messages.js';
import { isEmail, normaliseSubdomain, setOmnidesk } from '../questions.js';
import type { Wizard } from '../wizard.js';

interface Account {
  subdomain: string;
  staffEmail: string;
  apiKey: string | undefined;
  baseUrl: string | undefined;
}

type Check = { ok: true } | { ok: false; problem: AuthProblem; message: string };

export async function checkOmnidesk(a: Account & { apiKey: string }, deps: ConnectorDeps): Promise<Check> {
  try {
    await createOmnidesk({ subdomain: a.subdomain, baseUrl: a.baseUrl, staffEmail: a.staffEmail, apiKey: a.apiKey }, deps).ping();
    return { ok: true };
  } catch (err) {
    const auth = err instanceof RemoteError && err.kind === 'auth';
    const problem: AuthProblem = auth && err.status === 401 ? 'key' : auth && err.status === 403 ? 'email' : 'other';
    return { ok: false, problem, message: errorMessage(err) };
  }
}

export async function omnideskStep(w: Wizard): Promise<void> {
  const t = w.t.omnidesk;
  const current = w.draft.omnidesk;
  // An override (emulator, proxy) from the config or the env var is kept in the config.
  const baseUrl = current?.baseUrl ?? (w.env.ASODESK_OMNI_OMNIDESK_BASE_URL || undefined);
  if (baseUrl) w.say(t.baseUrlKept(baseUrl));
  const envKey = w.env.ASODESK_OMNI_OMNIDESK_API_KEY || undefined;

  const askSubdomain = (dflt: string | undefined): Promise<string> =>
    w.prompt.input({ message: t.subdomain, default: dflt, validate: (v) => (normaliseSubdomain(v) ? true : t.subdomainInvalid) }).then((v) => normaliseSubdomain(v)!);
  const askKey = async (keep: string | undefined): Promise<string | undefined> => {
    const typed = (await w.prompt.password({ message: keep ? t.apiKeyKeep : t.apiKey, validate: (v) => (v.trim() !== '' || keep ? true : t.apiKeyRequired) })).trim();
    if (typed) registerSecret(typed);
    return typed || keep;
  };
  const askEmail = (dflt: string | undefined): Promise<string> =>
    w.prompt.input({ message: t.email, default: dflt, validate: (v) => (isEmail(v) ? true : t.emailInvalid) }).then((v) => v.trim());

  const account: Account = { subdomain: await askSubdomain(current?.subdomain), staffEmail: '', apiKey: current?.apiKey, baseUrl };
  if (envKey) w.say(t.keyFromEnv);
  else account.apiKey = await askKey(current?.apiKey);
  account.staffEmail = await askEmail(current?.staffEmail);

  for (;;) {
    w.say(w.t.checking);
    const result = await checkOmnidesk({ ...account, apiKey: envKey ?? account.apiKey ?? '' }, w.deps);
    if (result.ok) {
      w.say(t.signedIn(account.staffEmail, account.subdomain));
      break;
    }
    w.say(t.failed(result.problem, result.message, account.staffEmail));
    if (result.problem === 'key' && envKey) w.say(t.envKeyWrong);
    const choices = [
      ...(envKey ? [] : [{ name: t.retypeKey, value: 'key' as const }]),
      { name: t.retypeEmail, value: 'email' as const },
      { name: t.retypeSubdomain, value: 'subdomain' as const },
      { name: t.retry, value: 'retry' as const },
      { name: t.saveUnchecked, value: 'save' as const },
    ];
    // The answer that fixes what Omnidesk complained about is preselected.
    const preselected = result.problem === 'email' ? 'email' : result.problem === 'key' && !envKey ? 'key' : 'retry';
    const next = await w.prompt.select({ message: t.whatNow, choices, default: preselected });
    if (next === 'save') break;
    if (next === 'key') account.apiKey = await askKey(undefined);
    if (next === 'email') account.staffEmail = await askEmail(account.staffEmail);
    if (next === 'subdomain') account.subdomain = await askSubdomain(account.subdomain);
  }
  // A key given by the env var stays there: it is not copied into the file.
  w.draft = setOmnidesk(w.draft, { subdomain: account.subdomain, staffEmail: account.staffEmail, apiKey: envKey ? undefined : account.apiKey, baseUrl });
  w.save();
}
