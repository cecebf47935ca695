/**
 * Step 1: the Omnidesk account. Subdomain, API key (masked), admin e-mail, checked live at
 * once; a refusal says whether the key (401) or the e-mail (403) is wrong, and asks only that again.
 */
import { omnideskBaseUrl, type OmnideskDomain } from '../../../config/omnidesk-address.js';
import { createOmnidesk } from '../../../connectors/helpdesk/omnidesk/index.js';
import type { ConnectorDeps } from '../../../connectors/deps.js';
import { errorMessage, RemoteError } from '../../../errors.js';
import { registerSecret } from '../../../log.js';
import { dotEnvNames } from '../../context.js';
import type { AuthProblem } from '../messages.js';
import { isEmail, parseOmnideskAddress, setOmnidesk, type OmnideskAddress } from '../questions.js';
import type { Wizard } from '../wizard.js';

interface Account {
  subdomain: string;
  domain?: OmnideskDomain | undefined;
  staffEmail: string;
  apiKey: string | undefined;
  baseUrl: string | undefined;
}

type Check = { ok: true } | { ok: false; problem: AuthProblem; message: string; error: unknown };

export async function checkOmnidesk(a: Account & { apiKey: string }, deps: ConnectorDeps): Promise<Check> {
  try {
    await createOmnidesk(
      { subdomain: a.subdomain, domain: a.domain, baseUrl: a.baseUrl, staffEmail: a.staffEmail, apiKey: a.apiKey },
      deps,
    ).ping();
    return { ok: true };
  } catch (err) {
    const auth = err instanceof RemoteError && err.kind === 'auth';
    const problem: AuthProblem = auth && err.status === 401 ? 'key' : auth && err.status === 403 ? 'email' : 'other';
    return { ok: false, problem, message: errorMessage(err), error: err };
  }
}

export async function omnideskStep(w: Wizard): Promise<void> {
  const t = w.t.omnidesk;
  const current = w.draft.omnidesk;
  const envBaseUrl = w.env.ASODESK_OMNI_OMNIDESK_BASE_URL || undefined;
  // `--omnidesk-url` (or a saved base URL) is the default address: a full URL is a base URL.
  const flagUrl = w.endpointFlags.omnidesk;
  const envKey = w.env.ASODESK_OMNI_OMNIDESK_API_KEY || undefined;
  if (envBaseUrl && !flagUrl) w.say(t.baseUrlKept(envBaseUrl));

  const askAddress = async (dflt: string | undefined): Promise<OmnideskAddress> => {
    const v = await w.prompt.input({
      message: t.subdomain,
      default: dflt,
      validate: (text) => (parseOmnideskAddress(text) ? true : t.subdomainInvalid),
    });
    return parseOmnideskAddress(v)!;
  };
  const askKey = async (keep: string | undefined): Promise<string | undefined> => {
    const typed = (
      await w.prompt.password({
        message: keep ? t.apiKeyKeep : t.apiKey,
        validate: (v) => (v.trim() !== '' || keep ? true : t.apiKeyRequired),
      })
    ).trim();
    if (typed) registerSecret(typed);
    return typed || keep;
  };
  const askEmail = (dflt: string | undefined): Promise<string> =>
    w.prompt
      .input({ message: t.email, default: dflt, validate: (v) => (isEmail(v) ? true : t.emailInvalid) })
      .then((v) => v.trim());

  const address = await askAddress(
    flagUrl ??
      (current?.baseUrl && current.baseUrl !== envBaseUrl
        ? current.baseUrl
        : current?.domain === 'deskie.io'
          ? `${current.subdomain}.${current.domain}`
          : current?.subdomain),
  );
  // A typed omnidesk.ru address uses the env override when there is one (emulators in tests).
  const account: Account = {
    subdomain: address.subdomain,
    domain: address.domain,
    staffEmail: '',
    apiKey: current?.apiKey,
    baseUrl: address.baseUrl ?? envBaseUrl,
  };
  if (envKey)
    w.say(dotEnvNames().has('ASODESK_OMNI_OMNIDESK_API_KEY') ? `${t.keyFromEnv} ${t.fromDotEnv}` : t.keyFromEnv);
  else account.apiKey = await askKey(current?.apiKey);
  account.staffEmail = await askEmail(current?.staffEmail);

  // The typed address: a base URL the user gave, else the subdomain (an env override is said once above).
  const shown = (): string => (account.baseUrl && account.baseUrl !== envBaseUrl ? account.baseUrl : account.subdomain);
  let checked = false;
  for (;;) {
    w.say(w.t.checking);
    const result = await w.busy(() => checkOmnidesk({ ...account, apiKey: envKey ?? account.apiKey ?? '' }, w.deps));
    if (result.ok) {
      w.say(t.signedIn(account.staffEmail, shown()));
      checked = true;
      break;
    }
    w.say(t.failed(result.problem, w.t.failure(result.error), account.staffEmail, omnideskBaseUrl(account)!));
    if (result.problem === 'key' && envKey)
      w.say(dotEnvNames().has('ASODESK_OMNI_OMNIDESK_API_KEY') ? `${t.envKeyWrong} ${t.fromDotEnv}` : t.envKeyWrong);
    const choices = [
      ...(envKey ? [] : [{ name: t.retypeKey, value: 'key' as const }]),
      { name: t.retypeEmail, value: 'email' as const },
      { name: t.retypeSubdomain, value: 'subdomain' as const },
      { name: t.retry, value: 'retry' as const },
      { name: t.saveUnchecked, value: 'save' as const },
    ];
    // The answer that fixes what Omnidesk complained about is preselected.
    const preselected =
      result.problem === 'email'
        ? 'email'
        : result.problem === 'key' && !envKey
          ? 'key'
          : result.problem === 'other'
            ? 'subdomain'
            : 'retry';
    const next = await w.prompt.select({ message: t.whatNow, choices, default: preselected });
    if (next === 'save') break;
    if (next === 'key') account.apiKey = await askKey(undefined);
    if (next === 'email') account.staffEmail = await askEmail(account.staffEmail);
    if (next === 'subdomain') {
      const a = await askAddress(account.baseUrl ?? account.subdomain);
      account.subdomain = a.subdomain;
      account.domain = a.domain;
      account.baseUrl = a.baseUrl ?? envBaseUrl;
    }
  }
  w.record('omnidesk', checked);
  // A key given by the env var stays there: it is not copied into the file.
  w.draft = setOmnidesk(w.draft, {
    subdomain: account.subdomain,
    domain: account.domain,
    staffEmail: account.staffEmail,
    apiKey: envKey ? undefined : account.apiKey,
    baseUrl: account.baseUrl ?? null,
  });
  w.saveAs(w.t.what.omnidesk(shown(), account.staffEmail, !envKey && account.apiKey !== undefined));
}
