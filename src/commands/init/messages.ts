/** Every text of the `init` wizard, in English and Russian. Store and service names are not translated. */
import { type StoreId } from '../../domain/review.js';
import { allStoreWizards, storeWizard } from '../../connectors/stores/wizards.js';
import { ConfigError, errorMessage, RemoteError, UserError, type RemoteErrorKind } from '../../errors.js';
import type { Lang } from './questions.js';

export type StepId = 'omnidesk' | 'channel' | 'apps' | 'filters' | 'credentials' | 'endpoints';
export type AuthProblem = 'key' | 'email' | 'other';

export interface Messages {
  /** A failed check in words: the kind of failure, then what the service said. */
  failure(err: unknown): string;
  intro(path: string): string;
  editIntro(path: string): string;
  stepTitle(n: number, id: StepId): string;
  stepNames: Record<StepId, string>;
  menu: { question: string; all: string; done: string; unfinished: string; resume: string };
  saved(path: string): string;
  /** After each answer: exactly what was written. */
  savedWhat(what: string): string;
  what: {
    omnidesk(address: string, email: string, withKey: boolean): string;
    channel(title: string, id: string): string;
    webhook(publicUrl: string | undefined): string;
    caseField(id: number | undefined): string;
    app(id: string): string;
    appRemoved(id: string): string;
    filters(id: string): string;
    credentials(store: StoreId): string;
    credentialsRemoved(store: StoreId): string;
    endpoint(name: string, url: string | undefined): string;
  };
  interrupted(path: string, saved: readonly string[], fileExists: boolean): string;
  checking: string;
  yes: string;
  no: string;
  omnidesk: {
    subdomain: string;
    subdomainInvalid: string;
    apiKey: string;
    apiKeyKeep: string;
    apiKeyRequired: string;
    keyFromEnv: string;
    fromDotEnv: string;
    email: string;
    emailInvalid: string;
    baseUrlKept(url: string): string;
    signedIn(email: string, subdomain: string): string;
    /** `url`: the address that was asked (named when it did not answer: a typo in the subdomain shows). */
    failed(problem: AuthProblem, connectorMessage: string, email: string, url: string): string;
    whatNow: string;
    retypeKey: string;
    retypeEmail: string;
    retypeSubdomain: string;
    retry: string;
    saveUnchecked: string;
    envKeyWrong: string;
  };
  channel: {
    needsAccount: string;
    listFailed(message: string): string;
    none: string;
    pick: string;
    inactive: string;
    recheck: string;
    reenterAccount: string;
    skip: string;
    skipped: string;
    publicUrl: string;
    publicUrlInvalid: string;
    secretKept: string;
    secretNew: string;
    secretFromEnv: string;
    pasteUrl(channelTitle: string): string;
    alreadySet: string;
    urlLater(path: string): string;
    fieldFound(title: string, id: number): string;
    fieldMissing(title: string): string;
    fieldNearMiss(title: string, type: string, level: string): string;
    fieldSkipped: string;
  };
  apps: {
    current: string;
    none: string;
    action: string;
    add: string;
    addAnother: string;
    edit(id: string): string;
    remove(id: string): string;
    done: string;
    store: string;
    listing(store: StoreId): string;
    listFailed(message: string): string;
    pickApp: string;
    typeId: string;
    skip: string;
    skipped: string;
    checkingApp: string;
    appFound(name: string): string;
    appNotFound(message: string): string;
    keepAnyway: string;
    retype: string;
    appId(store: StoreId): string;
    appIdProblem(store: StoreId): string;
    name: string;
    localId: string;
    localIdFormat: string;
    localIdTaken: string;
    enabled: string;
    added(id: string): string;
    removed(id: string): string;
    confirmRemove(id: string): string;
    publicUntilCredentials(store: StoreId): string;
  };
  filters: {
    noApps: string;
    pickApp: string;
    forApp(id: string, store: StoreId): string;
    reviewType: string;
    reviewTypes: Record<'all' | 'became-better' | 'became-worse' | 'updated', string>;
    backlog: string;
    backlogInvalid: string;
    ratings: string;
    ratingsRequired: string;
    countries: string;
    countriesInvalid(bad: string[]): string;
    clearHint: string;
    languages: string;
    languagesInvalid(bad: string[]): string;
    length: string;
    lengths: Record<'all' | 'under-3-words' | 'over-3-words', string>;
    tags: string;
  };
  endpoints: {
    intro: string;
    change: string;
    current(name: string, url: string | undefined, dflt: string | undefined): string;
    pick: string;
    done: string;
    ask(name: string): string;
    invalid: string;
    needsAccount: string;
    reachable(url: string): string;
    unreachable(url: string, message: string): string;
    whatNow: string;
    retype: string;
    keep: string;
    derived: string;
  };
  credentials: {
    intro: string;
    state(store: StoreId, state: 'set' | 'missing' | 'env'): string;
    action(store: StoreId): string;
    set: string;
    replace: string;
    keep: string;
    skip: string;
    remove: string;
    skipped(store: StoreId): string;
    required: string;
    fileMissing(path: string): string;
    accepted(store: StoreId): string;
    refused(store: StoreId, message: string): string;
    whatNow: string;
    retype: string;
    keepUnchecked: string;
    playPermission(app: string, message: string): string;
    fromEnv(store: StoreId): string;
  };
  finish: {
    title: string;
    incomplete: string;
    missing: Record<'omnidesk' | 'omnidesk.apiKey' | 'omnidesk.channel' | 'omnidesk.caseFieldId' | 'apps', string>;
    failedChecks: string;
    check(name: string): string;
    finishWith(flag: string): string;
    next: string;
    checkCmd(flag: string): string;
    sync(flag: string): string;
    serve(flag: string): string;
  };
  /** `init --non-interactive`: flags that cannot be read. */
  flags: {
    subdomain(v: string): string;
    email(v: string): string;
    channel(v: string): string;
    app(spec: string, stores: string): string;
    appId(spec: string, store: StoreId): string;
    url(v: string): string;
  };
  nonInteractive: {
    missing(list: string[]): string;
    missingHint: string;
    invalid: string;
    liveFailed(message: string): string;
    liveHint: string;
    channelUnknown(channel: string, known: string[]): string;
    written(path: string): string;
    fieldFound(id: number): string;
    fieldMissing(title: string): string;
    noTerminal: string;
    noTerminalHint: string;
  };
}

/** The store as customers know it, and the console its credentials belong to. */
const storeName = (id: StoreId): string => storeWizard(id).name;
const consoleName = (id: StoreId): string => storeWizard(id).consoleName;
/** `--app` examples: one per store. */
const appExamples = (): string =>
  allStoreWizards()
    .map((s) => `${s.id}:${s.exampleAppId}`)
    .join(', ');

const en: Messages = {
  failure: (err) =>
    errorMessage(err) +
    (err instanceof UserError && err.hint
      ? ` ${err.hint}`
      : err instanceof RemoteError && err.hint
        ? ` ${err.hint}`
        : ''),
  intro: (path) =>
    `Let's connect Omnidesk, your apps and the store keys. Progress is saved after every step in ${path}; Ctrl-C keeps it.`,
  editIntro: (path) => `Editing ${path}. Current values are the defaults: press Enter to keep them.`,
  stepTitle: (n, id) => `\nStep ${n} of 6: ${en.stepNames[id]}`,
  stepNames: {
    omnidesk: 'Omnidesk account',
    channel: 'Custom channel and webhook',
    apps: 'Apps',
    filters: 'Filters',
    credentials: 'Store credentials',
    endpoints: 'Advanced: endpoints',
  },
  menu: {
    question: 'What do you want to edit?',
    all: 'All steps in order',
    done: 'Nothing more: finish',
    unfinished: '(not finished)',
    resume: 'Continue where the setup stopped',
  },
  saved: (path) => `Saved to ${path}.`,
  savedWhat: (what) => `  saved: ${what}`,
  what: {
    omnidesk: (address, email, withKey) => `Omnidesk ${address}, admin ${email}${withKey ? ', API key' : ''}`,
    channel: (title, id) => `custom channel "${title}" (${id})`,
    webhook: (url) => (url ? `webhook secret, public URL ${url}` : 'webhook secret (public URL not set)'),
    caseField: (id) => (id === undefined ? 'no case field' : `case field cf_${id}`),
    app: (id) => `app ${id}`,
    appRemoved: (id) => `app ${id} removed`,
    filters: (id) => `filters of ${id}`,
    credentials: (store) => `${consoleName(store)} credentials`,
    credentialsRemoved: (store) => `${consoleName(store)} credentials removed`,
    endpoint: (name, url) => (url ? `${name} address ${url}` : `${name} address back to the default`),
  },
  interrupted: (path, saved, exists) =>
    saved.length > 0
      ? `\nStopped. Saved in ${path} during this run: ${saved.join('; ')}. The answers of the step in progress were not saved.\nRun \`asodesk-omni init\` again to continue: it starts from what was saved.`
      : exists
        ? `\nStopped. Nothing new was saved; ${path} is as it was.\nRun \`asodesk-omni init\` again to continue.`
        : `\nStopped. Nothing was saved (no config file was written).\nRun \`asodesk-omni init\` again to start over.`,
  checking: 'Checking…',
  yes: 'yes',
  no: 'no',
  omnidesk: {
    subdomain: 'Omnidesk address (company, company.omnidesk.ru, company.deskie.io or the full URL):',
    subdomainInvalid:
      'Give the account address, e.g. "company" for company.omnidesk.ru, or "company.deskie.io" for an account of Deskie (the English edition).',
    apiKey: 'API key (Omnidesk → Settings → API):',
    apiKeyKeep: 'API key (Omnidesk → Settings → API; Enter keeps the current one):',
    apiKeyRequired: 'The API key is needed to create cases.',
    keyFromEnv: 'The API key comes from ASODESK_OMNI_OMNIDESK_API_KEY (not written to the config).',
    fromDotEnv: 'It is set in the .env file of this folder.',
    email: 'E-mail of the main admin (the staff account the key belongs to):',
    emailInvalid: 'That is not an e-mail address.',
    baseUrlKept: (url) => `Omnidesk base URL override kept: ${url}`,
    signedIn: (email, sub) => `✓ Signed in to ${sub} as ${email}.`,
    failed: (problem, message, _email, url) =>
      problem === 'other' ? `✗ ${message} (address: ${url})` : `✗ ${message}`,
    whatNow: 'What now?',
    retypeKey: 'Type the API key again',
    retypeEmail: 'Type the e-mail again',
    retypeSubdomain: 'Type the address again',
    retry: 'Try again',
    saveUnchecked: 'Save without checking (check later with `asodesk-omni config check --online`)',
    envKeyWrong: 'The key comes from ASODESK_OMNI_OMNIDESK_API_KEY: fix the variable, then run init again.',
  },
  channel: {
    needsAccount: 'The Omnidesk account comes first.',
    listFailed: (m) => `✗ Could not list the custom channels: ${m}`,
    none: 'This Omnidesk has no custom channel yet. Create one: Settings → Channels → Custom channels → Add (any title, e.g. "App reviews"), then check again.',
    pick: 'Custom channel for the reviews:',
    inactive: '[inactive: switch it on in Omnidesk]',
    recheck: 'Check again',
    reenterAccount: 'Type the Omnidesk account (address, API key, e-mail) again',
    skip: 'Skip for now',
    skipped: 'Skipped: cases cannot be created until a channel is chosen (run init again).',
    publicUrl: 'Public base URL of serve-hook (e.g. https://hooks.example.com; empty: decide later):',
    publicUrlInvalid: 'Give a full URL such as https://hooks.example.com, or leave it empty.',
    secretKept: 'The webhook secret is kept.',
    secretNew: 'A new webhook secret was generated (192 random bits).',
    secretFromEnv: 'The webhook secret comes from ASODESK_OMNI_WEBHOOK_SECRET.',
    pasteUrl: (title) =>
      `Paste this URL into the "Webhook URL" of the channel "${title}" (Omnidesk → Settings → Channels):`,
    alreadySet: '✓ The channel already points there.',
    urlLater: (path) =>
      `When you know the public URL, the webhook URL is <public URL>${path}<secret> (run init again to see it).`,
    fieldFound: (title, id) => `✓ Case field "${title}" found (cf_${id}): each case will carry its review key.`,
    fieldMissing: (title) =>
      `✗ Omnidesk has no case field named "${title}". Create it: Omnidesk → Settings → Case fields → Add field → "Text field", title "${title}" (exactly the channel's title, case level). It keeps each case linked to its review.`,
    fieldNearMiss: (title, type, level) =>
      `✗ A field "${title}" exists, but it is a "${type}" field of ${level === 'case' ? 'cases' : 'users'}; it must be a "Text field" of cases with the channel's title.`,
    fieldSkipped: 'Skipped: `sync` delivers nothing until the field exists (create it, then run init again, step 2).',
  },
  apps: {
    current: 'Apps:',
    none: 'No app yet.',
    action: 'Apps:',
    add: 'Add an app',
    addAnother: 'Add another app',
    edit: (id) => `Edit ${id}`,
    remove: (id) => `Remove ${id}`,
    done: 'Done: next step',
    store: 'Store:',
    listing: (store) => `Reading the apps the ${consoleName(store)} key can see…`,
    listFailed: (m) => `Could not list the apps (${m}); type the id instead.`,
    pickApp: 'App:',
    typeId: 'Another app: type its id',
    skip: 'Skip for now (no app yet)',
    skipped: 'Skipped: sync has nothing to read until an app is added (run init again, step 3).',
    checkingApp: 'Looking the app up in the store…',
    appFound: (name) => `✓ Found in the store: ${name}.`,
    appNotFound: (m) => `✗ The store does not know this app: ${m}`,
    keepAnyway: 'Keep it anyway',
    retype: 'Type the id again',
    appId: (store) => storeWizard(store).texts.en.appIdQuestion,
    appIdProblem: (store) => storeWizard(store).texts.en.appIdProblem,
    name: 'Display name (optional, shown in cases and labels):',
    localId: 'Short id for this app (used by `sync --app` and in logs):',
    localIdFormat: 'Use letters, digits, dot, dash or underscore.',
    localIdTaken: 'Another app has this id.',
    enabled: 'Sync this app?',
    added: (id) => `✓ ${id} added.`,
    removed: (id) => `✓ ${id} removed.`,
    confirmRemove: (id) => `Remove ${id}? Its history stays in the state database.`,
    publicUntilCredentials: (store) =>
      `Until ${consoleName(store)} credentials are added (step 5), its reviews come from the public ${storeName(store)} pages and replies cannot be sent.`,
  },
  filters: {
    noApps: 'No app to filter yet: add one in step 3.',
    pickApp: 'Filters of which app?',
    forApp: (id, store) => `Filters for ${id} (${storeName(store)}):`,
    reviewType: 'Reviews to send:',
    reviewTypes: {
      all: 'All (new and edited)',
      'became-better': 'Edited to a better rating',
      'became-worse': 'Edited to a worse rating',
      updated: 'Edited (any change)',
    },
    backlog: 'Old unanswered reviews to import on the first sync (0-100):',
    backlogInvalid: 'A whole number from 0 to 100.',
    ratings: 'Ratings to send:',
    ratingsRequired: 'Pick at least one rating.',
    countries: 'Countries, ISO alpha-3 separated by commas (e.g. USA, RUS; empty = all):',
    countriesInvalid: (bad) =>
      `Unknown country codes: ${bad.join(', ')}. Use ISO 3166 alpha-3 codes such as USA, RUS, DEU.`,
    clearHint: '(type - to clear)',
    languages: 'Reviewer languages separated by commas (e.g. en, ru, pt-BR; empty = all):',
    languagesInvalid: (bad) => `Not language codes: ${bad.join(', ')}.`,
    length: 'Review length:',
    lengths: { all: 'Any length', 'under-3-words': 'Under 3 words', 'over-3-words': 'Over 3 words' },
    tags: 'Add labels (store, app, rating, language, version) to cases?',
  },
  endpoints: {
    intro:
      'The addresses of Omnidesk and the stores. Change them only for a proxy or the local emulators (`asodesk-omni demo --keep`).',
    change: 'Change an address (proxy, emulators)?',
    current: (name, url, dflt) => `  ${name}: ${url ?? `${dflt ?? 'derived'} (default)`}`,
    pick: 'Which address?',
    done: 'Done',
    ask: (name) => `${name} address (a full URL; empty: the default):`,
    invalid: 'Give a full URL such as https://proxy.example.com or http://127.0.0.1:8080, or leave it empty.',
    needsAccount: 'The Omnidesk address is set in step 1 (a full URL there is used as the base URL).',
    reachable: (url) => `✓ ${url} answers.`,
    unreachable: (url, m) => `✗ ${url} does not answer: ${m}`,
    whatNow: 'What now?',
    retype: 'Type the address again',
    keep: 'Keep it anyway',
    derived: 'from the key file',
  },
  credentials: {
    intro:
      'Store keys let asodesk-omni publish replies. Without them reviews still arrive (from the public store pages), but replies cannot be sent.',
    state: (store, state) =>
      `${consoleName(store)}: ${state === 'set' ? 'set' : state === 'env' ? 'set by environment variables' : 'not set'}`,
    action: (store) => `${consoleName(store)} credentials:`,
    set: 'Add them now',
    replace: 'Replace them',
    keep: 'Keep them (check them again)',
    skip: 'Skip for now',
    remove: 'Remove them',
    skipped: (store) =>
      `${storeName(store)}: reviews will flow (public source), but replies cannot be sent until the credentials are added (run init again, step 5).`,
    required: 'Needed.',
    fileMissing: (path) => `No readable file at ${path}.`,
    accepted: (store) => `✓ ${consoleName(store)} accepted the credentials.`,
    refused: (store, m) => `✗ ${consoleName(store)}: ${m}`,
    whatNow: 'What now?',
    retype: 'Type them again',
    keepUnchecked: 'Keep them anyway',
    playPermission: (app, m) => `! ${app}: ${m}`,
    fromEnv: (store) =>
      `${consoleName(store)} credentials come from environment variables; they are checked, not written.`,
  },
  finish: {
    title: '\nAll set.',
    incomplete: '\nNot finished yet:',
    missing: {
      omnidesk: 'the Omnidesk account (step 1)',
      'omnidesk.apiKey': 'the Omnidesk API key (step 1)',
      'omnidesk.channel': 'the custom channel: no case can be created without it (step 2)',
      'omnidesk.caseFieldId': 'the case field named like the channel (step 2)',
      apps: 'at least one app: sync has nothing to read (step 3)',
    },
    failedChecks: '\nSaved, but these checks did not pass:',
    check: (name) => `  - ${name}`,
    finishWith: (f) =>
      `Finish it with \`asodesk-omni init${f}\` (it resumes at the first unfinished step), then \`asodesk-omni config check --online${f}\`.`,
    next: 'Next:',
    checkCmd: (f) => `  asodesk-omni config check --online${f}   check every credential again`,
    sync: (f) =>
      `  asodesk-omni sync${f}                    pull reviews now (cron: */5 * * * * asodesk-omni sync --quiet${f})`,
    serve: (f) => `  asodesk-omni serve-hook${f}              publish agents' replies (behind your reverse proxy)`,
  },
  flags: {
    subdomain: (v) =>
      `"${v}" is not an Omnidesk address (company, company.omnidesk.ru, company.deskie.io or a full URL)`,
    email: (v) => `"${v}" is not an e-mail address`,
    channel: (v) => `"${v}" is not a custom channel id such as cch12`,
    app: (spec, stores) =>
      `"${spec}" should be store:id with store ${stores} (e.g. ${appExamples()}) or a store page URL`,
    appId: (spec, store) => `"${spec}": ${storeWizard(store).texts.en.flagAppIdProblem}`,
    url: (v) => `"${v}" is not a full URL such as https://proxy.example.com or http://127.0.0.1:8080`,
  },
  nonInteractive: {
    missing: (list) => `Missing settings:\n${list.map((l) => `  - ${l}`).join('\n')}\nNothing was written.`,
    missingHint:
      'Give them as flags, environment variables or in the --from file (see `asodesk-omni init --help`), or run `asodesk-omni init` in a terminal.',
    invalid: 'The settings are not valid; nothing was written.',
    liveFailed: (m) => `${m}\nNothing was written.`,
    liveHint: 'Fix the setting, or add --offline to write the config without checking.',
    channelUnknown: (ch, known) =>
      `omnidesk.channel: Omnidesk has no custom channel ${ch} (channels: ${known.join(', ') || 'none'}).`,
    written: (path) => `✓ Config written to ${path}.`,
    fieldFound: (id) => `✓ case field cf_${id} found.`,
    fieldMissing: (title) =>
      `! No case field named "${title}": create a "Text field" of cases with that title (Omnidesk → Settings → Case fields), then run init again.`,
    noTerminal: 'init asks questions, but this is not a terminal.',
    noTerminalHint:
      'Run it in a terminal, or use `asodesk-omni init --non-interactive` with flags, env vars or --from (see --help).',
  },
};

const ruKinds: Record<RemoteErrorKind, string> = {
  auth: 'ключ или учётная запись отклонены',
  permission: 'у ключа нет прав на это',
  'rate-limited': 'сервис просит подождать (лимит запросов)',
  quota: 'исчерпана квота запросов',
  transient: 'сервис недоступен (сеть или временная ошибка), попробуйте позже',
  'bad-payload': 'сервис ответил в неожиданном виде',
  'not-found': 'не найдено',
  rejected: 'запрос отклонён',
  'too-long': 'слишком длинный текст',
};

const ru: Messages = {
  failure: (err) => {
    const what =
      err instanceof RemoteError
        ? ruKinds[err.kind]
        : err instanceof ConfigError
          ? 'настройка или файл ключа неверны'
          : 'ошибка';
    return `${what} — ответ сервиса: «${errorMessage(err)}»`;
  },
  intro: (path) =>
    `Подключим Omnidesk, приложения и ключи магазинов. Прогресс сохраняется после каждого шага в ${path}; Ctrl-C его не теряет.`,
  editIntro: (path) => `Редактируем ${path}. Текущие значения стоят по умолчанию: Enter их сохраняет.`,
  stepTitle: (n, id) => `\nШаг ${n} из 6: ${ru.stepNames[id]}`,
  stepNames: {
    omnidesk: 'Аккаунт Omnidesk',
    channel: 'Кастомный канал и вебхук',
    apps: 'Приложения',
    filters: 'Фильтры',
    credentials: 'Ключи магазинов',
    endpoints: 'Дополнительно: адреса сервисов',
  },
  menu: {
    question: 'Что изменить?',
    all: 'Все шаги по порядку',
    done: 'Больше ничего: завершить',
    unfinished: '(не завершён)',
    resume: 'Продолжить с места остановки',
  },
  saved: (path) => `Сохранено в ${path}.`,
  savedWhat: (what) => `  сохранено: ${what}`,
  what: {
    omnidesk: (address, email, withKey) => `Omnidesk ${address}, администратор ${email}${withKey ? ', API ключ' : ''}`,
    channel: (title, id) => `кастомный канал «${title}» (${id})`,
    webhook: (url) => (url ? `секрет вебхука, публичный адрес ${url}` : 'секрет вебхука (публичный адрес не задан)'),
    caseField: (id) => (id === undefined ? 'поле обращения не задано' : `поле обращения cf_${id}`),
    app: (id) => `приложение ${id}`,
    appRemoved: (id) => `приложение ${id} удалено`,
    filters: (id) => `фильтры приложения ${id}`,
    credentials: (store) => `ключи ${consoleName(store)}`,
    credentialsRemoved: (store) => `ключи ${consoleName(store)} удалены`,
    endpoint: (name, url) => (url ? `адрес «${name}»: ${url}` : `адрес «${name}» по умолчанию`),
  },
  interrupted: (path, saved, exists) =>
    saved.length > 0
      ? `\nОстановлено. За этот запуск в ${path} сохранено: ${saved.join('; ')}. Ответы незавершённого шага не сохранены.\nЗапустите \`asodesk-omni init\` снова, чтобы продолжить с сохранённого.`
      : exists
        ? `\nОстановлено. Ничего нового не сохранено; ${path} не изменился.\nЗапустите \`asodesk-omni init\` снова, чтобы продолжить.`
        : `\nОстановлено. Ничего не сохранено (файл настроек не создан).\nЗапустите \`asodesk-omni init\` снова, чтобы начать заново.`,
  checking: 'Проверяю…',
  yes: 'да',
  no: 'нет',
  omnidesk: {
    subdomain: 'Поддомен Omnidesk (company, company.omnidesk.ru, company.deskie.io или полный адрес):',
    subdomainInvalid:
      'Укажите поддомен, например «company» для company.omnidesk.ru, «company.deskie.io» для аккаунта Deskie (английской версии) или полный адрес вида http://127.0.0.1:8080.',
    apiKey: 'API ключ (Omnidesk → Настройки → API):',
    apiKeyKeep: 'API ключ (Omnidesk → Настройки → API; Enter оставит текущий):',
    apiKeyRequired: 'API ключ нужен, чтобы создавать обращения.',
    keyFromEnv: 'API ключ берётся из ASODESK_OMNI_OMNIDESK_API_KEY (в файл настроек не записывается).',
    fromDotEnv: 'Переменная задана в файле .env этой папки.',
    email: 'E-mail главного администратора (сотрудника, которому принадлежит ключ):',
    emailInvalid: 'Это не адрес электронной почты.',
    baseUrlKept: (url) => `Адрес Omnidesk переопределён и сохранён: ${url}`,
    signedIn: (email, sub) => `✓ Вход в ${sub} выполнен как ${email}.`,
    failed: (problem, message, email, url) =>
      problem === 'key'
        ? '✗ Неверный API ключ или он удалён (Omnidesk → Настройки → API).'
        : problem === 'email'
          ? `✗ ${email} не является активным сотрудником этого Omnidesk (или заблокирован); нужен e-mail сотрудника, которому принадлежит ключ.`
          : `✗ Omnidesk: ${message} (адрес: ${url})`,
    whatNow: 'Что дальше?',
    retypeKey: 'Ввести API ключ заново',
    retypeEmail: 'Ввести e-mail заново',
    retypeSubdomain: 'Ввести поддомен заново',
    retry: 'Попробовать ещё раз',
    saveUnchecked: 'Сохранить без проверки (проверить позже: `asodesk-omni config check --online`)',
    envKeyWrong: 'Ключ берётся из ASODESK_OMNI_OMNIDESK_API_KEY: исправьте переменную и запустите init снова.',
  },
  channel: {
    needsAccount: 'Сначала нужен аккаунт Omnidesk.',
    listFailed: (m) => `✗ Не удалось получить список кастомных каналов: ${m}`,
    none: 'В этом Omnidesk ещё нет кастомного канала. Создайте его: Настройки → Каналы → Кастомные каналы → Добавить (любое название, например «Отзывы из магазинов»), затем проверьте снова.',
    pick: 'Кастомный канал для отзывов:',
    inactive: '[выключен: включите его в Omnidesk]',
    recheck: 'Проверить снова',
    reenterAccount: 'Ввести аккаунт Omnidesk (поддомен, API ключ, e-mail) заново',
    skip: 'Пропустить пока',
    skipped: 'Пропущено: обращения не будут создаваться, пока канал не выбран (запустите init снова).',
    publicUrl:
      'Публичный адрес приёмника вебхуков, команды serve-hook (например https://hooks.example.com; пусто — решить позже):',
    publicUrlInvalid: 'Укажите полный URL, например https://hooks.example.com, или оставьте пустым.',
    secretKept: 'Секрет вебхука сохранён прежним.',
    secretNew: 'Создан новый секрет вебхука (192 случайных бита).',
    secretFromEnv: 'Секрет вебхука берётся из ASODESK_OMNI_WEBHOOK_SECRET.',
    pasteUrl: (title) =>
      `Вставьте этот адрес в поле «Адрес вебхука» канала «${title}» (Omnidesk → Настройки → Каналы):`,
    alreadySet: '✓ Канал уже указывает на этот адрес.',
    urlLater: (path) =>
      `Когда появится публичный адрес, адрес вебхука будет <публичный адрес>${path}<секрет> (запустите init снова, чтобы увидеть его).`,
    fieldFound: (title, id) => `✓ Поле обращения «${title}» найдено (cf_${id}): в каждом обращении будет ключ отзыва.`,
    fieldMissing: (title) =>
      `✗ В Omnidesk нет поля обращения «${title}». Создайте его: Omnidesk → Настройки → Поля обращений → Добавить поле → «Текстовое поле», название «${title}» (точно как у канала, уровень обращения). Оно связывает обращение с отзывом.`,
    fieldNearMiss: (title, type, level) =>
      `✗ Поле «${title}» есть, но это поле типа «${type}» для ${level === 'case' ? 'обращений' : 'пользователей'}; нужно «Текстовое поле» обращений с названием канала.`,
    fieldSkipped:
      'Пропущено: пока поля нет, синхронизация ничего не отправляет (создайте поле и запустите init снова, шаг 2).',
  },
  apps: {
    current: 'Приложения:',
    none: 'Приложений пока нет.',
    action: 'Приложения:',
    add: 'Добавить приложение',
    addAnother: 'Добавить ещё приложение',
    edit: (id) => `Изменить ${id}`,
    remove: (id) => `Удалить ${id}`,
    done: 'Готово: следующий шаг',
    store: 'Магазин:',
    listing: (store) => `Читаю приложения, доступные ключу ${consoleName(store)}…`,
    listFailed: (m) => `Не удалось получить список приложений (${m}); введите идентификатор вручную.`,
    pickApp: 'Приложение:',
    typeId: 'Другое приложение: ввести идентификатор',
    skip: 'Пропустить пока (без приложений)',
    skipped: 'Пропущено: синхронизации нечего читать, пока не добавлено приложение (запустите init снова, шаг 3).',
    checkingApp: 'Ищу приложение в магазине…',
    appFound: (name) => `✓ Нашлось в магазине: ${name}.`,
    appNotFound: (m) => `✗ Магазин не знает такого приложения: ${m}`,
    keepAnyway: 'Всё равно оставить',
    retype: 'Ввести идентификатор заново',
    appId: (store) => storeWizard(store).texts.ru.appIdQuestion,
    appIdProblem: (store) => storeWizard(store).texts.ru.appIdProblem,
    name: 'Отображаемое название (необязательно, видно в обращениях и метках):',
    localId: 'Короткое имя приложения (для `sync --app` и в журналах):',
    localIdFormat: 'Латинские буквы, цифры, точка, дефис или подчёркивание.',
    localIdTaken: 'Это имя уже занято другим приложением.',
    enabled: 'Синхронизировать это приложение?',
    added: (id) => `✓ Приложение ${id} добавлено.`,
    removed: (id) => `✓ Приложение ${id} удалено.`,
    confirmRemove: (id) => `Удалить ${id}? Его история останется в базе состояния.`,
    publicUntilCredentials: (store) =>
      `Пока не добавлены ключи ${consoleName(store)} (шаг 5), отзывы берутся с публичных страниц ${storeName(store)}, а ответы отправить нельзя.`,
  },
  filters: {
    noApps: 'Фильтровать пока нечего: добавьте приложение на шаге 3.',
    pickApp: 'Фильтры какого приложения?',
    forApp: (id, store) => `Фильтры для ${id} (${storeName(store)}):`,
    reviewType: 'Какие отзывы отправлять:',
    reviewTypes: {
      all: 'Все (новые и изменённые)',
      'became-better': 'Изменённые с повышением оценки',
      'became-worse': 'Изменённые с понижением оценки',
      updated: 'Изменённые (любое изменение)',
    },
    backlog: 'Сколько старых отзывов без ответа загрузить при первой синхронизации (0-100):',
    backlogInvalid: 'Целое число от 0 до 100.',
    ratings: 'Какие оценки отправлять:',
    ratingsRequired: 'Выберите хотя бы одну оценку.',
    countries: 'Страны, коды ISO alpha-3 через запятую (например USA, RUS; пусто — все):',
    countriesInvalid: (bad) =>
      `Неизвестные коды стран: ${bad.join(', ')}. Нужны коды ISO 3166 латиницей, например USA, RUS, DEU.`,
    clearHint: '(«-» — очистить)',
    languages: 'Языки отзывов через запятую (например en, ru, pt-BR; пусто — все):',
    languagesInvalid: (bad) => `Не коды языков: ${bad.join(', ')}.`,
    length: 'Длина отзыва:',
    lengths: { all: 'Любая', 'under-3-words': 'Меньше 3 слов', 'over-3-words': 'Больше 3 слов' },
    tags: 'Добавлять метки (магазин, приложение, оценка, язык, версия) к обращениям?',
  },
  endpoints: {
    intro:
      'Адреса Omnidesk и магазинов. Меняйте их только для прокси или локальных эмуляторов (`asodesk-omni demo --keep`).',
    change: 'Изменить адрес (прокси, эмуляторы)?',
    current: (name, url, dflt) => `  ${name}: ${url ?? `${dflt ?? 'из файла ключа'} (по умолчанию)`}`,
    pick: 'Какой адрес?',
    done: 'Готово',
    ask: (name) => `Адрес «${name}» (полный адрес; пусто — по умолчанию):`,
    invalid: 'Укажите полный адрес, например https://proxy.example.com или http://127.0.0.1:8080, или оставьте пустым.',
    needsAccount: 'Адрес Omnidesk задаётся на шаге 1 (полный адрес там становится базовым адресом).',
    reachable: (url) => `✓ ${url} отвечает.`,
    unreachable: (url, m) => `✗ ${url} не отвечает: ${m}`,
    whatNow: 'Что дальше?',
    retype: 'Ввести адрес заново',
    keep: 'Всё равно оставить',
    derived: 'из файла ключа',
  },
  credentials: {
    intro:
      'Ключи магазинов нужны, чтобы публиковать ответы. Без них отзывы всё равно приходят (с публичных страниц магазинов), но ответить на них нельзя.',
    state: (store, state) =>
      `${consoleName(store)}: ${state === 'set' ? 'заданы' : state === 'env' ? 'заданы переменными окружения' : 'не заданы'}`,
    action: (store) => `Ключи ${consoleName(store)}:`,
    set: 'Добавить сейчас',
    replace: 'Заменить',
    keep: 'Оставить (проверить ещё раз)',
    skip: 'Пропустить пока',
    remove: 'Удалить',
    skipped: (store) =>
      `${storeName(store)}: отзывы будут приходить (публичный источник), но ответы отправить нельзя, пока не добавлены ключи (запустите init снова, шаг 5).`,
    required: 'Обязательно.',
    fileMissing: (path) => `Нет доступного для чтения файла ${path}.`,
    accepted: (store) => `✓ ${consoleName(store)} принял ключи.`,
    refused: (store, m) => `✗ ${consoleName(store)}: ${m}`,
    whatNow: 'Что дальше?',
    retype: 'Ввести заново',
    keepUnchecked: 'Всё равно оставить',
    playPermission: (app, m) => `! ${app}: ${m}`,
    fromEnv: (store) =>
      `Ключи ${consoleName(store)} заданы переменными окружения: они проверяются, но не записываются.`,
  },
  finish: {
    title: '\nВсё готово.',
    incomplete: '\nЕщё не завершено:',
    missing: {
      omnidesk: 'аккаунт Omnidesk (шаг 1)',
      'omnidesk.apiKey': 'API ключ Omnidesk (шаг 1)',
      'omnidesk.channel': 'кастомный канал: без него обращения не создаются (шаг 2)',
      'omnidesk.caseFieldId': 'поле обращения с названием канала (шаг 2)',
      apps: 'хотя бы одно приложение: синхронизации нечего читать (шаг 3)',
    },
    failedChecks: '\nСохранено, но эти проверки не прошли:',
    check: (name) => `  - ${name}`,
    finishWith: (f) =>
      `Завершите настройку: \`asodesk-omni init${f}\` (продолжит с первого незавершённого шага), затем \`asodesk-omni config check --online${f}\`.`,
    next: 'Дальше:',
    checkCmd: (f) => `  asodesk-omni config check --online${f}   ещё раз проверить все ключи`,
    sync: (f) =>
      `  asodesk-omni sync${f}                    загрузить отзывы сейчас (по расписанию: */5 * * * * asodesk-omni sync --quiet${f})`,
    serve: (f) => `  asodesk-omni serve-hook${f}              публиковать ответы агентов (за обратным прокси)`,
  },
  flags: {
    subdomain: (v) =>
      `«${v}» — не адрес Omnidesk (поддомен company, company.omnidesk.ru, company.deskie.io или полный адрес)`,
    email: (v) => `«${v}» — не адрес электронной почты`,
    channel: (v) => `«${v}» — не номер кастомного канала вида cch12`,
    app: (spec, stores) =>
      `«${spec}»: нужно магазин:идентификатор, магазин — ${stores} (например ${appExamples()}), или ссылка на страницу в магазине`,
    appId: (spec, store) => `«${spec}»: ${storeWizard(store).texts.ru.flagAppIdProblem}`,
    url: (v) => `«${v}» — не полный адрес вида https://proxy.example.com или http://127.0.0.1:8080`,
  },
  nonInteractive: {
    missing: (list) => `Не хватает настроек:\n${list.map((l) => `  - ${l}`).join('\n')}\nНичего не записано.`,
    missingHint:
      'Передайте их флагами, переменными окружения или в файле --from (см. `asodesk-omni init --help`), или запустите `asodesk-omni init` в терминале.',
    invalid: 'Настройки неверны; ничего не записано.',
    liveFailed: (m) => `${m}\nНичего не записано.`,
    liveHint: 'Исправьте настройку или добавьте --offline, чтобы записать настройки без проверки.',
    channelUnknown: (ch, known) =>
      `omnidesk.channel: в Omnidesk нет кастомного канала ${ch} (каналы: ${known.join(', ') || 'нет'}).`,
    written: (path) => `✓ Настройки записаны в ${path}.`,
    fieldFound: (id) => `✓ поле обращения cf_${id} найдено.`,
    fieldMissing: (title) =>
      `! Нет поля обращения «${title}»: создайте «Текстовое поле» обращений с этим названием (Omnidesk → Настройки → Поля обращений) и запустите init снова.`,
    noTerminal: 'init задаёт вопросы, но это не терминал.',
    noTerminalHint:
      'Запустите его в терминале или используйте `asodesk-omni init --non-interactive` с флагами, переменными окружения или --from (см. --help).',
  },
};

export function messagesFor(lang: Lang): Messages {
  return lang === 'ru' ? ru : en;
}
