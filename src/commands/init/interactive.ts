/**
 * The interactive `init`: load the current config as the draft (so a re-run edits with the
 * current values as defaults), run the wizard, and turn Ctrl-C into "saved, run again".
 */
import { existsSync } from 'node:fs';
import { readConfigFile, zodProblems } from '../../config/load.js';
import { configSchema, type ConfigInput } from '../../config/schema.js';
import type { ConnectorDeps } from '../../connectors/deps.js';
import { ConfigError, ExitCode, type ExitCodeValue } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { runWizard } from './flow.js';
import type { InitOptions } from './options.js';
import { messagesFor } from './messages.js';
import { inquirerPrompter, isPromptExit, swallowKeys, type Prompter } from './prompts.js';
import { detectLang, endpointFlags, endpointName, setEndpoint, type EndpointId, type Lang } from './questions.js';
import { Wizard } from './wizard.js';

/** The config file's content as the wizard's draft; a file the schema refuses is not edited blindly. */
export function loadDraft(path: string): { draft: ConfigInput; exists: boolean } {
  const raw = readConfigFile(path);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = zodProblems(parsed.error);
    throw new ConfigError(
      `${path} has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p.path}: ${p.message}`).join('\n')}`,
      problems,
      'Fix these fields by hand (or move the file away), then run `asodesk-omni init` again.',
    );
  }
  // Validated just above: the file's own content, defaults not filled in.
  return { draft: raw as ConfigInput, exists: existsSync(path) };
}

/** `--lang`, else a Russian locale, else the language saved in the config, else English. */
export function chooseLang(opts: InitOptions, ctx: Pick<CommandContext, 'env'>, draft: ConfigInput): Lang {
  if (opts.lang === 'en' || opts.lang === 'ru') return opts.lang;
  return detectLang(undefined, ctx.env) === 'ru' ? 'ru' : (draft.language ?? 'en');
}

export interface InteractiveIO {
  prompt: Prompter;
  busy: <T>(task: () => Promise<T>) => Promise<T>;
  say(text: string): void;
  sayUnredacted(text: string): void;
  deps: Partial<ConnectorDeps>;
}

export async function interactiveInit(
  ctx: CommandContext,
  opts: InitOptions,
  io: Partial<InteractiveIO> = {},
): Promise<ExitCodeValue> {
  const path = ctx.location.configPath;
  const { draft, exists } = opts.from ? { draft: loadDraft(opts.from).draft, exists: false } : loadDraft(path);
  const lang = chooseLang(opts, ctx, draft);
  if (opts.lang || draft.language === undefined) draft.language = lang;
  const { flags, problems } = endpointFlags(opts);
  if (problems.length > 0) {
    const said = problems.map((p) => ({ path: p.path, message: messagesFor(lang).flags.url(p.value) }));
    throw new ConfigError(said.map((p) => `${p.path}: ${p.message}`).join('\n'), said);
  }
  // Addresses from flags go into the draft (Omnidesk's once there is an account; before that it is step 1's default).
  let start = draft;
  const given = (Object.entries(flags) as [EndpointId, string][]).filter(
    ([id]) => id !== 'omnidesk' || draft.omnidesk !== undefined,
  );
  for (const [id, url] of given) start = setEndpoint(start, id, url);
  const wizard = new Wizard({
    location: ctx.location,
    env: ctx.env,
    logger: ctx.logger,
    lang,
    draft: start,
    deps: io.deps,
    endpointFlags: flags,
    io: {
      prompt: io.prompt ?? inquirerPrompter(lang),
      busy: io.busy ?? (io.prompt ? undefined : swallowKeys),
      say: io.say ?? ((t) => ctx.out(t)),
      sayUnredacted: io.sayUnredacted ?? ((t) => process.stdout.write(`${t}\n`)),
    },
  });
  try {
    // On a re-run the flags are saved at once: the menu may not visit a step that saves.
    if (exists && given.length > 0)
      wizard.saveAs(given.map(([id, url]) => wizard.t.what.endpoint(endpointName(lang, id), url)).join('; '));
    await runWizard(wizard, !exists || draft.omnidesk === undefined);
    return ExitCode.ok;
  } catch (err) {
    if (!isPromptExit(err)) throw err;
    (io.say ?? ((t: string) => ctx.out(t)))(messagesFor(lang).interrupted(path, wizard.saved, existsSync(path)));
    return ExitCode.interrupted;
  }
}
