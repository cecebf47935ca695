/**
 * What `init`, `demo` and the flag help know about a store, supplied by the store's
 * connector folder (`<id>/wizard.ts`): its questions in English and Russian, its flags, its
 * service addresses, how app ids look. A leaf contract: the wizard modules import nothing
 * heavy, so `--help`, which lists the per-store flags, stays as fast as before.
 */
import type { StoreId } from './ids.js';

export type Lang = 'en' | 'ru';

/** A service address of the store that `init` can override (a proxy, the local emulators). */
export interface StoreEndpoint {
  /** Id in the wizard and in `demo --json` (`appStore`, `googlePlayToken`…). */
  readonly id: string;
  /** The `init` flag, e.g. `--app-store-url`; it takes `<url>`. */
  readonly flag: string;
  /** The config field under `stores.<configKey>`. */
  readonly field: string;
  /** The production address, shown as the default; undefined: derived (e.g. from the key file). */
  readonly production: string | undefined;
  /** The flag's help, after "advanced: ". */
  readonly help: string;
  /** Its name in the wizard's endpoint step. */
  readonly names: Readonly<Record<Lang, string>>;
}

/** A credential given as an `init` flag (`--app-store-key <path>`). */
export interface CredentialFlag {
  readonly flag: string;
  /** The config field under `stores.<configKey>`. */
  readonly field: string;
  /** A key file: the value is a path, made absolute (the config may move, the cwd does). */
  readonly isPath: boolean;
  readonly help: string;
}

/** The wizard's prompts, as a store's credential questions use them. */
export interface CredentialPrompts {
  /** A required text answer, trimmed. */
  text(message: string, current: string | undefined): Promise<string>;
  /** A readable file's absolute path, whose content `looksRight` (else `wrong` is said). */
  file(
    message: string,
    current: string | undefined,
    looksRight: (content: string) => boolean,
    wrong: string,
  ): Promise<string>;
  /** A pasted secret: masked, required, kept out of logs from then on. */
  secret(message: string): Promise<string>;
  choose<T extends string>(message: string, choices: readonly { name: string; value: T }[], dflt?: T): Promise<T>;
}

/** A store's texts that the shared wizard steps show. */
export interface StoreWizardTexts {
  /** The app id question (step 3). */
  readonly appIdQuestion: string;
  /** Said when the typed id is not one of this store's. */
  readonly appIdProblem: string;
  /** The same for `init --app <store>:<id>`, after `"<spec>": `. */
  readonly flagAppIdProblem: string;
}

export interface StoreWizard {
  readonly id: StoreId;
  /** As customers and agents know it. */
  readonly name: string;
  /** The console the credentials belong to. */
  readonly consoleName: string;
  /** The store's section of the config file (`stores.<configKey>`). */
  readonly configKey: string;
  /** The env vars of its secrets, for the help (`ASODESK_OMNI_APPSTORE_*`). */
  readonly envPattern: string;
  /** How `--app` names one of its apps in the help (`app-store:<numeric id>`). */
  readonly appFlagHint: string;
  /** An app id for examples. */
  readonly exampleAppId: string;
  /** Which review filters apply to its apps (the wizard asks only these). */
  readonly filters: { readonly countries: boolean; readonly languages: boolean };
  readonly texts: Readonly<Record<Lang, StoreWizardTexts>>;
  /** True for an address of one of its store pages (a pasted URL names the store). */
  isStorePage(url: URL): boolean;
  /** The id as the store's API wants it, from what people paste (an id, a store page URL). */
  normaliseAppId(text: string): string;
  isAppId(appId: string): boolean;
  /** A short local id made from the app id, when the name gives none (default: from the package name). */
  localIdOf?(appId: string): string;
  /** In the order of `init --help` and the endpoint step. */
  readonly endpoints: readonly StoreEndpoint[];
  readonly credentialFlags: readonly CredentialFlag[];
  /** Credential settings, each one field or alternatives (a key inline or as a path): all or none must be given. */
  readonly credentialGroups: readonly (readonly string[])[];
  /** Asks the credentials; the answer is the fields to write into the store's section. */
  askCredentials(
    ask: CredentialPrompts,
    current: Readonly<Record<string, unknown>>,
    lang: Lang,
  ): Promise<Record<string, string>>;
  /** The demo's answers to the credential questions, from its config section. */
  demoAnswer(section: Readonly<Record<string, unknown>>): string;
}

/** The option key commander makes of a flag: `--app-store-key-id` → `appStoreKeyId`. */
export function optionKey(flag: string): string {
  return flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** A config value as a string, or undefined. */
export function stringField(section: Readonly<Record<string, unknown>>, field: string): string | undefined {
  const v = section[field];
  return typeof v === 'string' ? v : undefined;
}
