/**
 * The wizard's state: the config draft (the file's own content), where it is saved, the
 * prompts, and connectors built from the draft for the live checks. Steps live in steps/*.ts.
 */
import { defaultConfigPath } from '../../config/paths.js';
import { parseConfig, type ConfigLocation, type Env } from '../../config/load.js';
import type { Config, ConfigInput } from '../../config/schema.js';
import { writeConfigFile } from '../../config/store.js';
import type { ConnectorDeps } from '../../connectors/deps.js';
import type { Helpdesk } from '../../connectors/helpdesk/types.js';
import type { StoreConnector } from '../../connectors/stores/types.js';
import type { StoreId } from '../../domain/review.js';
import { buildServices } from '../../engine/wiring.js';
import { ConfigError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { messagesFor, type Messages } from './messages.js';
import type { Prompter } from './prompts.js';
import type { EndpointId, Lang } from './questions.js';

export interface WizardIO {
  prompt: Prompter;
  /** Runs a live check; keys typed meanwhile are dropped (they must not answer the next question). */
  busy?: (<T>(task: () => Promise<T>) => Promise<T>) | undefined;
  /** Explanations and results (stdout; registered secrets are masked). */
  say(text: string): void;
  /** A line that must show a secret as it is: the webhook URL to paste into Omnidesk. */
  sayUnredacted(text: string): void;
}

export interface WizardOptions {
  location: ConfigLocation;
  env: Env;
  logger: Logger;
  lang: Lang;
  io: WizardIO;
  draft: ConfigInput;
  /** Connector settings for the live checks (tests make retries instant). */
  deps?: Partial<ConnectorDeps> | undefined;
  /** Addresses given as flags (`--omnidesk-url` …): defaults of the questions. */
  endpointFlags?: Partial<Record<EndpointId, string>> | undefined;
}

/** A live check's outcome, by what was checked (`omnidesk`, `channel`, `caseField`, `credentials:<store>`). */
export type CheckName =
  | 'omnidesk'
  | 'channel'
  | 'caseField'
  | `credentials:${StoreId}`
  | `endpoint:${EndpointId}`
  | `app:${StoreId}:${string}`;

export class Wizard {
  draft: ConfigInput;
  readonly t: Messages;
  readonly lang: Lang;
  /** What each live check said in this run; "All set." needs every one of them passed. */
  readonly checks = new Map<CheckName, boolean>();
  /** What was written to the file in this run, in words, for Ctrl-C and the summary. */
  readonly saved: string[] = [];

  constructor(private readonly opts: WizardOptions) {
    this.draft = opts.draft;
    this.lang = opts.lang;
    this.t = messagesFor(opts.lang);
  }

  get endpointFlags(): Partial<Record<EndpointId, string>> {
    return this.opts.endpointFlags ?? {};
  }

  record(check: CheckName, passed: boolean): void {
    this.checks.set(check, passed);
  }

  busy<T>(task: () => Promise<T>): Promise<T> {
    return this.opts.io.busy ? this.opts.io.busy(task) : task();
  }

  get prompt(): Prompter {
    return this.opts.io.prompt;
  }

  get env(): Env {
    return this.opts.env;
  }

  get location(): ConfigLocation {
    return this.opts.location;
  }

  get deps(): ConnectorDeps {
    return { logger: this.opts.logger, timeoutMs: 15_000, backoffBaseMs: 250, ...this.opts.deps };
  }

  say(text: string): void {
    this.opts.io.say(text);
  }

  sayUnredacted(text: string): void {
    this.opts.io.sayUnredacted(text);
  }

  /** Progress is kept after every step: mode 0600, atomic write. */
  save(): void {
    writeConfigFile(this.opts.location.configPath, this.draft as Record<string, unknown>);
  }

  /** Saves and says exactly what was saved. */
  saveAs(what: string): void {
    this.save();
    this.saved.push(what);
    this.say(this.t.savedWhat(what));
  }

  /** The draft as the other commands will read it: env overrides applied, defaults filled. */
  config(): Config {
    const { config, problems } = parseConfig(this.draft, this.opts.env);
    if (!config)
      throw new ConfigError(
        `The settings so far are not valid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
        problems,
      );
    return config;
  }

  helpdesk(): Helpdesk {
    return buildServices(this.config(), this.opts.location, this.opts.logger, this.deps).helpdesk;
  }

  /** The console API connector of a store, or undefined without credentials; throws ConfigError for a broken key. */
  storeConnector(store: StoreId): StoreConnector | undefined {
    return buildServices(this.config(), this.opts.location, this.opts.logger, this.deps).replyConnector(store);
  }

  /** ` --config <path>` when the config is not at the default place, for the commands we suggest. */
  configFlag(): string {
    const path = this.opts.location.configPath;
    return path === defaultConfigPath() || this.opts.env.ASODESK_OMNI_CONFIG === path ? '' : ` --config ${path}`;
  }
}
