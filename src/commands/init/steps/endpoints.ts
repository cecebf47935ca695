/**
 * Step 6 (advanced): the address of each service, for a proxy or the local emulators. Empty
 * input goes back to the production default; a new address is checked for an answer at once.
 */
import { omnideskBaseUrl } from '../../../config/omnidesk-address.js';
import { errorMessage } from '../../../errors.js';
import { endpointList, endpointName, getEndpoint, isHttpUrl, setEndpoint, type EndpointId } from '../questions.js';
import type { Wizard } from '../wizard.js';

/** Anything that answers HTTP counts: a 404 at the root still means the host is there. */
export async function checkReachable(
  url: string,
  timeoutMs = 10_000,
): Promise<{ ok: true } | { ok: false; message: string }> {
  try {
    const res = await fetch(url, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return { ok: true };
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : errorMessage(err);
    return { ok: false, message: cause };
  }
}

function listing(w: Wizard): string {
  const t = w.t.endpoints;
  return endpointList()
    .map(({ id, production }) => {
      // A store address without a production default is derived (e.g. from the key file).
      const dflt =
        id === 'omnidesk' ? omnideskBaseUrl({ ...w.draft.omnidesk, baseUrl: undefined }) : (production ?? t.derived);
      return t.current(endpointName(w.lang, id), getEndpoint(w.draft, id), dflt);
    })
    .join('\n');
}

export async function endpointsStep(w: Wizard, mode: 'all' | 'pick'): Promise<void> {
  const t = w.t.endpoints;
  w.say(t.intro);
  w.say(listing(w));
  if (mode === 'all' && !(await w.prompt.confirm({ message: t.change, default: false }))) return;
  for (;;) {
    // `done` is no endpoint's id (test/unit/connectors/stores/registry.test.ts).
    const id = await w.prompt.select<EndpointId>({
      message: t.pick,
      choices: [
        { name: t.done, value: 'done' },
        ...endpointList().map((e) => ({ name: endpointName(w.lang, e.id), value: e.id })),
      ],
    });
    if (id === 'done') return;
    if (id === 'omnidesk' && !w.draft.omnidesk) {
      w.say(t.needsAccount);
      continue;
    }
    await askEndpoint(w, id);
    w.say(listing(w));
  }
}

async function askEndpoint(w: Wizard, id: EndpointId): Promise<void> {
  const t = w.t.endpoints;
  let dflt = getEndpoint(w.draft, id);
  for (;;) {
    const url = (
      await w.prompt.input({
        message: t.ask(endpointName(w.lang, id)),
        default: dflt,
        validate: (v) => (v.trim() === '' || isHttpUrl(v) ? true : t.invalid),
      })
    ).trim();
    if (url !== '') {
      w.say(w.t.checking);
      const result = await w.busy(() => checkReachable(url));
      w.record(`endpoint:${id}`, result.ok);
      if (result.ok) w.say(t.reachable(url));
      else {
        w.say(t.unreachable(url, result.message));
        const next = await w.prompt.select({
          message: t.whatNow,
          choices: [
            { name: t.retype, value: 'retype' as const },
            { name: t.keep, value: 'keep' as const },
          ],
        });
        if (next === 'retype') {
          dflt = url;
          continue;
        }
      }
    }
    w.draft = setEndpoint(w.draft, id, url || undefined);
    w.saveAs(w.t.what.endpoint(endpointName(w.lang, id), url || undefined));
    return;
  }
}
