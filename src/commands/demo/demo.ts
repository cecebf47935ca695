/**
 * `asodesk-omni demo`: the whole loop on the embedded emulators, in about ten seconds.
 * Reviews in → sync → cases → an agent replies → serve-hook publishes → sync again (nothing
 * new) → an app without store credentials. Everything runs on 127.0.0.1; nothing leaves the machine.
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig, resolveLocation, type ConfigLocation } from '../../config/load.js';
import {
  demoServiceRows,
  emulatorEndpoints,
  publicAppSource,
  startDemoWorld,
  storeEmulatorUrls,
  type DemoWorld,
} from '../../emulators/demo.js';
import { stringField } from '../../connectors/stores/wizard-types.js';
import { allStoreWizards } from '../../connectors/stores/wizards.js';
import { worldApps, worldStaff } from '../../emulators/world.js';
import { selfCommand } from '../self.js';
import { ExitCode, UserError, type ExitCodeValue } from '../../errors.js';
import { Logger } from '../../log.js';
import { openDb } from '../../state/db.js';
import type { StateDb } from '../../state/handle.js';
import type { CommandContext } from '../context.js';
import { bad, cut, dim, ok, printer, table, totals, type Printer } from './render.js';
import { replyInEachStore, startListener, storeLabel, type ReplyOutcome } from './reply-loop.js';
import { runSync } from './run-sync.js';
import { effectPart, reportPart, showRouted } from './effect-part.js';
import { noteBody } from '../../engine/reply-notes.js';

export interface DemoOptions {
  keep?: boolean;
  dir?: string;
}

export async function demoCommand(ctx: CommandContext, opts: DemoOptions): Promise<ExitCodeValue> {
  const started = Date.now();
  const dir = demoDir(opts.dir);
  // `--json`: the story is not printed; one JSON object with the outcome is, at the end.
  const p = printer(ctx.json ? () => {} : (t) => ctx.out(t));
  const self = selfCommand(ctx.env);
  // The emulators and serve-hook log every request; the demo tells the story itself.
  const logger = new Logger({ level: ctx.logger.level === 'debug' ? 'debug' : 'error' });

  p.line(
    `asodesk-omni demo: ${listOf(allStoreWizards().map((s) => s.name))} reviews → Omnidesk cases → agent replies → back to the stores.`,
  );
  p.line(dim('Everything below runs against local emulators on 127.0.0.1; nothing leaves this machine.'));
  const world = await startDemoWorld({ dir });
  const location = resolveLocation({ config: world.configPath }, {});
  const noKeyLocation = resolveLocation({ config: world.noKey.configPath }, {});
  let db: StateDb | undefined;
  let listener: Awaited<ReturnType<typeof startListener>> | undefined;
  let failures = 0;
  try {
    showWorld(p, world);

    p.heading(2, 'sync: new reviews become Omnidesk cases');
    const first = await runSync(location, logger);
    p.block(first.text);
    p.line();
    p.block(casesTable(world, 'cch1'));
    p.line();
    failures += showRouted(p, world, 'cch1');

    p.heading(3, 'An agent answers one case per store; serve-hook publishes the answer');
    db = openDb(location.dbPath);
    listener = await startListener(world, loadConfig(location, {}), location, db, logger);
    world.config.webhook = { ...world.config.webhook, publicUrl: listener.server.url };
    world.saveConfig();
    p.block(
      `serve-hook listens on ${listener.server.url}/omnidesk/webhook/<secret>; the channel "App reviews" posts agents' replies there.`,
    );
    const outcomes = await replyInEachStore(world, listener);
    for (const o of outcomes) {
      if (o.state !== 'published') failures++;
      p.block(replyBlock(o));
    }

    p.heading(4, 'sync again: nothing new, nothing sent twice');
    const second = await runSync(location, logger);
    p.block(second.text);
    const again = totals(second.report);
    if (again.created !== 0) failures++;
    p.block(
      again.created === 0
        ? ok(
            `0 cases created (Omnidesk still has ${world.omnidesk.cases().filter((c) => c.channel === 'cch1').length})`,
          )
        : bad(`${again.created} cases created on the second sync`),
    );

    failures += await noKeyPart(p, world, noKeyLocation, logger);
    failures += await effectPart(p, world, location, logger);
    const report = await reportPart(p, location, db);

    showNext(p, location, opts.keep === true, (Date.now() - started) / 1000, self);
    const code = failures === 0 && first.code === ExitCode.ok ? ExitCode.ok : ExitCode.partialFailure;
    const tryInit = tryInitCommands(world, dir, self);
    if (ctx.json) {
      ctx.out(
        JSON.stringify(
          {
            ok: code === ExitCode.ok,
            seconds: (Date.now() - started) / 1000,
            config: location.configPath,
            emulators: emulatorEndpoints(world),
            firstSync: first.report,
            replies: outcomes,
            secondSync: { created: again.created },
            report,
            ...(opts.keep ? { serveHook: listener.server.url, tryInit } : {}),
          },
          null,
          2,
        ),
      );
    }
    if (opts.keep) {
      showKept(p, world, listener.server.url);
      // The demo's own credentials, printed as they are: they only open the emulators.
      if (!ctx.json) process.stdout.write(`${tryInit.text}\n`);
      await nextSignal();
    }
    return code;
  } finally {
    await listener?.stop();
    await listener?.closeServices();
    await db?.close();
    await world.stop();
  }
}

/** "A, B and C". */
function listOf(names: string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`;
}

function demoDir(given: string | undefined): string {
  if (!given) return mkdtempSync(join(tmpdir(), 'asodesk-omni-demo-'));
  const dir = resolve(given);
  // A previous demo's database would remember every review: the first sync would create nothing.
  if (existsSync(join(dir, 'asodesk-omni.db')) || existsSync(join(dir, 'config.json'))) {
    throw new UserError(
      `${dir} holds an earlier demo (config.json / asodesk-omni.db).`,
      ExitCode.usage,
      'Give an empty or new folder to --dir, or leave --dir out for a temporary one.',
    );
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

function showWorld(p: Printer, w: DemoWorld): void {
  p.heading(1, 'Emulators started, keys generated, config written');
  p.block(table(['service', 'address', 'what'], demoServiceRows(w)));
  p.block(`config: ${w.configPath} (keys beside it, mode 0600)`);
}

function casesTable(w: DemoWorld, channel: string): string {
  const rows = w.omnidesk
    .cases()
    .filter((c) => c.channel === channel)
    .map((c) => [`#${c.caseId}`, c.status, cut(c.subject, 72)]);
  return `Cases in Omnidesk:\n${table(['case', 'status', 'subject'], rows)}`;
}

function replyBlock(o: ReplyOutcome): string {
  const head = `${storeLabel(o.store)}: case #${o.caseId} (review by ${o.author})`;
  const lines = [
    o.state === 'published' ? ok(head) : bad(`${head}: ${o.state}`),
    `   agent wrote:   ${cut(o.agentText, 80)}`,
  ];
  lines.push(
    o.inStore ? `   store now has: ${o.inStore.state} "${cut(o.inStore.text, 64)}"` : '   store now has: no answer',
  );
  for (const n of o.notes) lines.push(`   note in case:  ${cut(n, 100)}`);
  return lines.join('\n');
}

/** An app without store credentials: reviews flow from the public source, replies are refused with a note. */
async function noKeyPart(p: Printer, w: DemoWorld, location: ConfigLocation, logger: Logger): Promise<number> {
  p.heading(5, `An app without store credentials (${publicAppSource})`);
  const sync = await runSync(location, logger);
  p.block(sync.text);
  const reply = w.replies.find((r) => r.target === 'no-credentials');
  const c = reply && w.omnidesk.cases().find((x) => x.userCustomId === reply.reviewKey);
  if (!reply || !c) {
    p.block(bad('no case was made from the public feed'));
    return 1;
  }
  // This channel has no webhook: `sync --poll-replies` finds the reply instead.
  await w.omnidesk.addStaffReply(c.caseId, reply.text);
  const polled = await runSync(location, logger, { pollReplies: true });
  const last = w.omnidesk
    .messages(c.caseId)
    .filter((m) => m.note)
    .at(-1)?.content;
  const note = last === undefined ? undefined : noteBody(last);
  const refused = polled.report.replies?.refused ?? 0;
  p.block(`An agent answered case #${c.caseId}; \`sync --poll-replies\` found the reply and could not publish it:`);
  p.block(refused === 1 && note ? ok(`note in case: ${note}`) : bad('the reply was not refused with a note'));
  return refused === 1 && note ? 0 : 1;
}

/**
 * A ready `init` against the running emulators, in a config of its own (the demo's stays as
 * it is): the wizard with every address given, and the same without questions.
 */
export function tryInitCommands(
  w: DemoWorld,
  dir: string,
  self: string,
): { text: string; interactive: string; nonInteractive: string; answers: Record<string, string> } {
  const u = emulatorEndpoints(w);
  const stores = allStoreWizards();
  const sections: Readonly<Record<string, Readonly<Record<string, unknown>>>> = { ...w.config.stores };
  const section = (key: string): Readonly<Record<string, unknown>> => sections[key] ?? {};
  const configPath = join(dir, 'try-init', 'config.json');
  // Every address and credential flag as the stores' connectors declare them, Omnidesk's first.
  const urls = [
    `--omnidesk-url ${u.omnidesk}`,
    ...stores.flatMap((s) => s.endpoints.map((e) => `${e.flag} ${u[e.id] ?? ''}`)),
  ].join(' ');
  const keys = stores
    .flatMap((s) => s.credentialFlags.map((c) => `${c.flag} ${stringField(section(s.configKey), c.field) ?? ''}`))
    .join(' ');
  const apps = Object.values(worldApps)
    .map((a) => `--app ${a.store}:${a.appId}`)
    .join(' ');
  const interactive = `${self} init --config ${configPath} ${urls}`;
  const nonInteractive = `ASODESK_OMNI_OMNIDESK_API_KEY=${worldStaff.apiKey} ${self} init --non-interactive --config ${configPath} --email ${worldStaff.email} --channel cch1 ${apps} ${keys} ${urls}`;
  const answers: Record<string, string> = {
    'API key': worldStaff.apiKey,
    'e-mail': worldStaff.email,
    ...Object.fromEntries(stores.map((s) => [s.consoleName, s.demoAnswer(section(s.configKey))])),
  };
  const text = [
    '',
    "Try `init` against these emulators (its own config; the demo's is not touched):",
    `  ${interactive}`,
    '  its answers (demo credentials, they open only these emulators):',
    ...Object.entries(answers).map(([k, v]) => `    ${k}: ${v}`),
    'The same without questions:',
    `  ${nonInteractive}`,
    `Then: ${self} sync --config ${configPath}  (with the same ASODESK_OMNI_OMNIDESK_API_KEY for the non-interactive one)`,
  ].join('\n');
  return { text, interactive, nonInteractive, answers };
}

function showNext(p: Printer, location: ConfigLocation, keep: boolean, seconds: number, self: string): void {
  p.heading('→', 'Where to look next');
  const c = `--config ${location.configPath}`;
  p.block(
    [
      table(
        ['what', 'where'],
        [
          ['per app: last sync, cases, replies, quotas', `${self} status ${c}`],
          ['answers, times, outcomes, rating changes', `${self} report --by week ${c}`],
          ['the config the demo wrote (secrets hidden)', `${self} config show ${c}`],
          ['connect your own Omnidesk, apps and keys', `${self} init`],
          ['setup, cron, serve-hook behind a proxy', 'README.md'],
        ],
      ),
      keep
        ? ''
        : dim(
            `The emulators are stopped now; \`${self} demo --keep\` leaves them running (and prints an \`init\` to try against them).`,
          ),
      dim(`Demo finished in ${seconds.toFixed(1)} s.`),
    ]
      .filter((l) => l !== '')
      .join('\n'),
  );
}

function showKept(p: Printer, w: DemoWorld, hookUrl: string): void {
  const someCase = w.omnidesk.cases().find((c) => c.channel === 'cch1' && c.lastResponseAt === undefined);
  p.heading('⏵', 'Still running (Ctrl-C to stop)');
  p.block(
    [
      `Omnidesk        ${w.omnidesk.baseUrl}   cases: ${w.omnidesk.baseUrl}/__emulator/cases`,
      ...storeEmulatorUrls(w).map(([name, url]) => `${name.padEnd(16)}${url}`),
      `serve-hook      ${hookUrl}/omnidesk/webhook/<secret>   health: ${hookUrl}/healthz`,
      '',
      'Play an agent reply (serve-hook publishes it):',
      `  curl -s -X POST ${w.omnidesk.baseUrl}/__emulator/cases/${someCase?.caseId ?? 2000}/staff-reply -H 'content-type: application/json' -d '{"content":"Thank you!"}'`,
    ].join('\n'),
  );
}

function nextSignal(): Promise<void> {
  return new Promise((done) => {
    const on = (): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      done();
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
