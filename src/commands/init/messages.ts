/** Every text of the `init` wizard, in English and Russian. Store and service names are not translated. */
import { type StoreId } from '../../domain/review.js';
import { storeNames } from '../../connectors/stores/registry.js';
import type { Lang } from './questions.js';

export type StepId = 'omnidesk' | 'channel' | 'apps' | 'filters' | 'credentials';
export type AuthProblem = 'key' | 'email' | 'other';

export interface Messages {
  intro(path: string): string;
  editIntro(path: string): string;
  stepTitle(n: number, id: StepId): string;
  stepNames: Record<StepId, string>;
  menu: { question: string; all: string; done: string };
  saved(path: string): string;
  interrupted(path: string): string;
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
    email: string;
    emailInvalid: string;
    baseUrlKept(url: string): string;
    signedIn(email: string, subdomain: string): string;
    failed(problem: AuthProblem, connectorMessage: string, email: string): string;
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
    appId(store: StoreId): string;
    appIdProblem(kind: 'app-store-id' | 'package-name'): string;
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
    languages: string;
    languagesInvalid(bad: string[]): string;
    length: string;
    lengths: Record<'all' | 'under-3-words' | 'over-3-words', string>;
    tags: string;
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
    issuerId: string;
    keyId: string;
    p8Path: string;
    jsonPath: string;
    ruKeyId: string;
    ruKeySource: string;
    ruKeyFile: string;
    ruKeyPaste: string;
    ruKeyPath: string;
    ruKeyPasted: string;
    required: string;
    fileMissing(path: string): string;
    notP8: string;
    notServiceAccount: string;
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
    next: string;
    check(flag: string): string;
    sync(flag: string): string;
    serve(flag: string): string;
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
  };
}

const storeKeyNames: Record<StoreId, string> = { 'app-store': 'App Store Connect', 'google-play': 'Google Play', rustore: 'RuStore' };

const en: Messages = {
  intro: (path) => `Let's connect Omnidesk, your apps and the store keys. Progress is saved after every step in ${path}; Ctrl-C keeps it.`,
  editIntro: (path) => `Editing ${path}. Current values are the defaults: press Enter to keep them.`,
  stepTitle: (n, id) => `\nStep ${n} of 5: ${en.stepNames[id]}`,
  stepNames: { omnidesk: 'Omnidesk account', channel: 'Custom channel and webhook', apps: 'Apps', filters: 'Filters', credentials: 'Store credentials' },
  menu: { question: 'What do you want to edit?', all: 'All steps in order', done: 'Nothing more: finish' },
  saved: (path) => `Saved to ${path}.`,
  interrupted: (path) => `\nStopped. Everything up to the last finished step is saved in ${path}.\nRun \`asodesk-omni init\` again to continue: it starts from what you entered.`,
  checking: 'Checking…',
  yes: 'yes',
  no: 'no',
  omnidesk: {
    subdomain: 'Omnidesk address (company, company.omnidesk.ru or the full URL):',
    subdomainInvalid: 'Give the account address, e.g. "company" for company.omnidesk.ru.',
    apiKey: 'API key (Omnidesk → Settings → API):',
    apiKeyKeep: 'API key (Omnidesk → Settings → API; Enter keeps the current one):',
    apiKeyRequired: 'The API key is needed to create cases.',
    keyFromEnv: 'The API key comes from ASODESK_OMNI_OMNIDESK_API_KEY (not written to the config).',
    email: 'E-mail of the main admin (the staff account the key belongs to):',
    emailInvalid: 'That is not an e-mail address.',
    baseUrlKept: (url) => `Omnidesk base URL override kept: ${url}`,
    signedIn: (email, sub) => `✓ Signed in to ${sub} as ${email}.`,
    failed: (_problem, message) => `✗ ${message}`,
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
    skip: 'Skip for now',
    skipped: 'Skipped: cases cannot be created until a channel is chosen (run init again).',
    publicUrl: 'Public base URL of serve-hook (e.g. https://hooks.example.com; empty: decide later):',
    publicUrlInvalid: 'Give a full URL such as https://hooks.example.com, or leave it empty.',
    secretKept: 'The webhook secret is kept.',
    secretNew: 'A new webhook secret was generated (192 random bits).',
    secretFromEnv: 'The webhook secret comes from ASODESK_OMNI_WEBHOOK_SECRET.',
    pasteUrl: (title) => `Paste this URL into the "Webhook URL" of the channel "${title}" (Omnidesk → Settings → Channels):`,
    alreadySet: '✓ The channel already points there.',
    urlLater: (path) => `When you know the public URL, the webhook URL is <public URL>${path}<secret> (run init again to see it).`,
    fieldFound: (title, id) => `✓ Case field "${title}" found (cf_${id}): each case will carry its review key.`,
    fieldMissing: (title) =>
      `✗ Omnidesk has no case field named "${title}". Create it: Omnidesk → Settings → Case fields → Add field → "Text field", title "${title}" (exactly the channel's title, case level). It keeps each case linked to its review.`,
    fieldNearMiss: (title, type, level) => `✗ A field "${title}" exists, but it is a "${type}" field of ${level === 'case' ? 'cases' : 'users'}; it must be a "Text field" of cases with the channel's title.`,
    fieldSkipped: 'Skipped: cases are linked to reviews by the customer id only until the field exists (run init again, step 2).',
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
    listing: (store) => `Reading the apps the ${storeKeyNames[store]} key can see…`,
    listFailed: (m) => `Could not list the apps (${m}); type the id instead.`,
    pickApp: 'App:',
    typeId: 'Another app: type its id',
    appId: (store) => (store === 'app-store' ? 'App Store app id (App Store Connect → App Information → Apple ID, a number):' : 'Package name (e.g. com.company.app):'),
    appIdProblem: (kind) => (kind === 'app-store-id' ? 'The App Store app id is a number, e.g. 1234567890.' : 'A package name looks like com.company.app.'),
    name: 'Display name (optional, shown in cases and labels):',
    localId: 'Short id for this app (used by `sync --app` and in logs):',
    localIdFormat: 'Use letters, digits, dot, dash or underscore.',
    localIdTaken: 'Another app has this id.',
    enabled: 'Sync this app?',
    added: (id) => `✓ ${id} added.`,
    removed: (id) => `✓ ${id} removed.`,
    confirmRemove: (id) => `Remove ${id}? Its history stays in the state database.`,
    publicUntilCredentials: (store) => `Until ${storeKeyNames[store]} credentials are added (step 5), its reviews come from the public ${storeNames[store]} pages and replies cannot be sent.`,
  },
  filters: {
    noApps: 'No app to filter yet: add one in step 3.',
    pickApp: 'Filters of which app?',
    forApp: (id, store) => `Filters for ${id} (${storeNames[store]}):`,
    reviewType: 'Reviews to send:',
    reviewTypes: { all: 'All (new and edited)', 'became-better': 'Edited to a better rating', 'became-worse': 'Edited to a worse rating', updated: 'Edited (any change)' },
    backlog: 'Old unanswered reviews to import on the first sync (0-100):',
    backlogInvalid: 'A whole number from 0 to 100.',
    ratings: 'Ratings to send:',
    ratingsRequired: 'Pick at least one rating.',
    countries: 'Countries, ISO alpha-3 separated by commas (e.g. USA, RUS; empty = all):',
    countriesInvalid: (bad) => `Not 3-letter codes: ${bad.join(', ')}.`,
    languages: 'Reviewer languages separated by commas (e.g. en, ru, pt-BR; empty = all):',
    languagesInvalid: (bad) => `Not language codes: ${bad.join(', ')}.`,
    length: 'Review length:',
    lengths: { all: 'Any length', 'under-3-words': 'Under 3 words', 'over-3-words': 'Over 3 words' },
    tags: 'Add labels (store, app, rating, language, version) to cases?',
  },
  credentials: {
    intro: 'Store keys let asodesk-omni publish replies. Without them reviews still arrive (from the public store pages), but replies cannot be sent.',
    state: (store, state) => `${storeKeyNames[store]}: ${state === 'set' ? 'set' : state === 'env' ? 'set by environment variables' : 'not set'}`,
    action: (store) => `${storeKeyNames[store]} credentials:`,
    set: 'Add them now',
    replace: 'Replace them',
    keep: 'Keep them (check them again)',
    skip: 'Skip for now',
    remove: 'Remove them',
    skipped: (store) => `${storeNames[store]}: reviews will flow (public source), but replies cannot be sent until the credentials are added (run init again, step 5).`,
    issuerId: 'Issuer ID (App Store Connect → Users and Access → Integrations → App Store Connect API):',
    keyId: 'Key ID:',
    p8Path: 'Path to the .p8 key file (AuthKey_XXXXXXXXXX.p8):',
    jsonPath: 'Path to the service-account JSON key (Google Cloud → IAM → Service accounts → Keys):',
    ruKeyId: 'Key ID (RuStore Console → API keys):',
    ruKeySource: 'Private key:',
    ruKeyFile: 'From a file (the path is kept, not the key)',
    ruKeyPaste: 'Paste it (it is then kept in the config, mode 0600)',
    ruKeyPath: 'Path to the private key file:',
    ruKeyPasted: 'Private key (one line of Base64, as RuStore Console shows it):',
    required: 'Needed.',
    fileMissing: (path) => `No readable file at ${path}.`,
    notP8: 'This is not a private key file (.p8 starts with "-----BEGIN PRIVATE KEY-----").',
    notServiceAccount: 'This is not a service-account JSON key (it needs client_email and private_key).',
    accepted: (store) => `✓ ${storeKeyNames[store]} accepted the credentials.`,
    refused: (store, m) => `✗ ${storeKeyNames[store]}: ${m}`,
    whatNow: 'What now?',
    retype: 'Type them again',
    keepUnchecked: 'Keep them anyway',
    playPermission: (app, m) => `! ${app}: ${m}`,
    fromEnv: (store) => `${storeKeyNames[store]} credentials come from environment variables; they are checked, not written.`,
  },
  finish: {
    title: '\nAll set.',
    next: 'Next:',
    check: (f) => `  asodesk-omni config check --online${f}   check every credential again`,
    sync: (f) => `  asodesk-omni sync${f}                    pull reviews now (cron: */5 * * * * asodesk-omni sync --quiet${f})`,
    serve: (f) => `  asodesk-omni serve-hook${f}              publish agents' replies (behind your reverse proxy)`,
  },
  nonInteractive: {
    missing: (list) => `Missing settings:\n${list.map((l) => `  - ${l}`).join('\n')}\nNothing was written.`,
    missingHint: 'Give them as flags, environment variables or in the --from file (see `asodesk-omni init --help`), or run `asodesk-omni init` in a terminal.',
    invalid: 'The settings are not valid; nothing was written.',
    liveFailed: (m) => `${m}\nNothing was written.`,
    liveHint: 'Fix the setting, or add --offline to write the config without checking.',
    channelUnknown: (ch, known) => `omnidesk.channel: Omnidesk has no custom channel ${ch} (channels: ${known.join(', ') || 'none'}).`,
    written: (path) => `✓ Config written to ${path}.`,
    fieldFound: (id) => `✓ case field cf_${id} found.`,
    fieldMissing: (title) => `! No case field named "${title}": create a "Text field" of cases with that title (Omnidesk → Settings → Case fields), then run init again.`,
    noTerminal: 'init asks questions, but this is not a terminal.',
  },
};

const ru: Messages = {
  intro: (path) => `Подключим Omnidesk, приложения и ключи магазинов. Прогресс сохраняется после каждого шага в ${path}; Ctrl-C его не теряет.`,
  editIntro: (path) => `Редактируем ${path}. Текущие значения стоят по умолчанию: Enter их сохраняет.`,
  stepTitle: (n, id) => `\nШаг ${n} из 5: ${ru.stepNames[id]}`,
  stepNames: { omnidesk: 'Аккаунт Omnidesk', channel: 'Пользовательский канал и вебхук', apps: 'Приложения', filters: 'Фильтры', credentials: 'Ключи магазинов' },
  menu: { question: 'Что изменить?', all: 'Все шаги по порядку', done: 'Больше ничего: завершить' },
  saved: (path) => `Сохранено в ${path}.`,
  interrupted: (path) => `\nОстановлено. Всё до последнего завершённого шага сохранено в ${path}.\nЗапустите \`asodesk-omni init\` снова, чтобы продолжить: введённое будет подставлено.`,
  checking: 'Проверяю…',
  yes: 'да',
  no: 'нет',
  omnidesk: {
    subdomain: 'Адрес Omnidesk (company, company.omnidesk.ru или полный URL):',
    subdomainInvalid: 'Укажите адрес аккаунта, например «company» для company.omnidesk.ru.',
    apiKey: 'API-ключ (Omnidesk → Настройки → API):',
    apiKeyKeep: 'API-ключ (Omnidesk → Настройки → API; Enter оставит текущий):',
    apiKeyRequired: 'API-ключ нужен, чтобы создавать обращения.',
    keyFromEnv: 'API-ключ берётся из ASODESK_OMNI_OMNIDESK_API_KEY (в конфиг не записывается).',
    email: 'E-mail главного администратора (сотрудника, которому принадлежит ключ):',
    emailInvalid: 'Это не адрес электронной почты.',
    baseUrlKept: (url) => `Адрес Omnidesk переопределён и сохранён: ${url}`,
    signedIn: (email, sub) => `✓ Вход в ${sub} выполнен как ${email}.`,
    failed: (problem, message, email) =>
      problem === 'key'
        ? '✗ Неверный API-ключ или он удалён (Omnidesk → Настройки → API).'
        : problem === 'email'
          ? `✗ ${email} не является активным сотрудником этого Omnidesk (или заблокирован); нужен e-mail сотрудника, которому принадлежит ключ.`
          : `✗ ${message}`,
    whatNow: 'Что дальше?',
    retypeKey: 'Ввести API-ключ заново',
    retypeEmail: 'Ввести e-mail заново',
    retypeSubdomain: 'Ввести адрес заново',
    retry: 'Попробовать ещё раз',
    saveUnchecked: 'Сохранить без проверки (проверить позже: `asodesk-omni config check --online`)',
    envKeyWrong: 'Ключ берётся из ASODESK_OMNI_OMNIDESK_API_KEY: исправьте переменную и запустите init снова.',
  },
  channel: {
    needsAccount: 'Сначала нужен аккаунт Omnidesk.',
    listFailed: (m) => `✗ Не удалось получить список пользовательских каналов: ${m}`,
    none: 'В этом Omnidesk ещё нет пользовательского канала. Создайте его: Настройки → Каналы → Пользовательские каналы → Добавить (любое название, например «Отзывы из магазинов»), затем проверьте снова.',
    pick: 'Пользовательский канал для отзывов:',
    inactive: '[выключен: включите его в Omnidesk]',
    recheck: 'Проверить снова',
    skip: 'Пропустить пока',
    skipped: 'Пропущено: обращения не будут создаваться, пока канал не выбран (запустите init снова).',
    publicUrl: 'Публичный адрес serve-hook (например https://hooks.example.com; пусто — решить позже):',
    publicUrlInvalid: 'Укажите полный URL, например https://hooks.example.com, или оставьте пустым.',
    secretKept: 'Секрет вебхука сохранён прежним.',
    secretNew: 'Создан новый секрет вебхука (192 случайных бита).',
    secretFromEnv: 'Секрет вебхука берётся из ASODESK_OMNI_WEBHOOK_SECRET.',
    pasteUrl: (title) => `Вставьте этот адрес в поле «Webhook URL» канала «${title}» (Omnidesk → Настройки → Каналы):`,
    alreadySet: '✓ Канал уже указывает на этот адрес.',
    urlLater: (path) => `Когда появится публичный адрес, адрес вебхука будет <публичный адрес>${path}<секрет> (запустите init снова, чтобы увидеть его).`,
    fieldFound: (title, id) => `✓ Поле обращения «${title}» найдено (cf_${id}): в каждом обращении будет ключ отзыва.`,
    fieldMissing: (title) =>
      `✗ В Omnidesk нет поля обращения «${title}». Создайте его: Omnidesk → Настройки → Поля обращений → Добавить поле → «Текстовое поле», название «${title}» (точно как у канала, уровень обращения). Оно связывает обращение с отзывом.`,
    fieldNearMiss: (title, type, level) => `✗ Поле «${title}» есть, но это поле типа «${type}» для ${level === 'case' ? 'обращений' : 'пользователей'}; нужно «Текстовое поле» обращений с названием канала.`,
    fieldSkipped: 'Пропущено: пока поля нет, обращения связываются с отзывами только по id клиента (запустите init снова, шаг 2).',
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
    listing: (store) => `Читаю приложения, доступные ключу ${storeKeyNames[store]}…`,
    listFailed: (m) => `Не удалось получить список приложений (${m}); введите id вручную.`,
    pickApp: 'Приложение:',
    typeId: 'Другое приложение: ввести id',
    appId: (store) => (store === 'app-store' ? 'Id приложения в App Store (App Store Connect → Информация о приложении → Apple ID, число):' : 'Имя пакета (например com.company.app):'),
    appIdProblem: (kind) => (kind === 'app-store-id' ? 'Id приложения App Store — число, например 1234567890.' : 'Имя пакета выглядит как com.company.app.'),
    name: 'Отображаемое название (необязательно, видно в обращениях и метках):',
    localId: 'Короткий id приложения (для `sync --app` и в логах):',
    localIdFormat: 'Латинские буквы, цифры, точка, дефис или подчёркивание.',
    localIdTaken: 'Этот id уже занят другим приложением.',
    enabled: 'Синхронизировать это приложение?',
    added: (id) => `✓ ${id} добавлено.`,
    removed: (id) => `✓ ${id} удалено.`,
    confirmRemove: (id) => `Удалить ${id}? Его история останется в базе состояния.`,
    publicUntilCredentials: (store) => `Пока не добавлены ключи ${storeKeyNames[store]} (шаг 5), отзывы берутся с публичных страниц ${storeNames[store]}, а ответы отправить нельзя.`,
  },
  filters: {
    noApps: 'Фильтровать пока нечего: добавьте приложение на шаге 3.',
    pickApp: 'Фильтры какого приложения?',
    forApp: (id, store) => `Фильтры для ${id} (${storeNames[store]}):`,
    reviewType: 'Какие отзывы отправлять:',
    reviewTypes: { all: 'Все (новые и изменённые)', 'became-better': 'Изменённые с повышением оценки', 'became-worse': 'Изменённые с понижением оценки', updated: 'Изменённые (любое изменение)' },
    backlog: 'Сколько старых отзывов без ответа загрузить при первой синхронизации (0-100):',
    backlogInvalid: 'Целое число от 0 до 100.',
    ratings: 'Какие оценки отправлять:',
    ratingsRequired: 'Выберите хотя бы одну оценку.',
    countries: 'Страны, коды ISO alpha-3 через запятую (например USA, RUS; пусто — все):',
    countriesInvalid: (bad) => `Не трёхбуквенные коды: ${bad.join(', ')}.`,
    languages: 'Языки отзывов через запятую (например en, ru, pt-BR; пусто — все):',
    languagesInvalid: (bad) => `Не коды языков: ${bad.join(', ')}.`,
    length: 'Длина отзыва:',
    lengths: { all: 'Любая', 'under-3-words': 'Меньше 3 слов', 'over-3-words': 'Больше 3 слов' },
    tags: 'Добавлять метки (магазин, приложение, оценка, язык, версия) к обращениям?',
  },
  credentials: {
    intro: 'Ключи магазинов нужны, чтобы публиковать ответы. Без них отзывы всё равно приходят (с публичных страниц магазинов), но ответить на них нельзя.',
    state: (store, state) => `${storeKeyNames[store]}: ${state === 'set' ? 'заданы' : state === 'env' ? 'заданы переменными окружения' : 'не заданы'}`,
    action: (store) => `Ключи ${storeKeyNames[store]}:`,
    set: 'Добавить сейчас',
    replace: 'Заменить',
    keep: 'Оставить (проверить ещё раз)',
    skip: 'Пропустить пока',
    remove: 'Удалить',
    skipped: (store) => `${storeNames[store]}: отзывы будут приходить (публичный источник), но ответы отправить нельзя, пока не добавлены ключи (запустите init снова, шаг 5).`,
    issuerId: 'Issuer ID (App Store Connect → Пользователи и доступ → Интеграции → App Store Connect API):',
    keyId: 'Key ID:',
    p8Path: 'Путь к файлу ключа .p8 (AuthKey_XXXXXXXXXX.p8):',
    jsonPath: 'Путь к JSON-ключу сервисного аккаунта (Google Cloud → IAM → Сервисные аккаунты → Ключи):',
    ruKeyId: 'Key ID (RuStore Консоль → API-ключи):',
    ruKeySource: 'Приватный ключ:',
    ruKeyFile: 'Из файла (в конфиге хранится путь, а не ключ)',
    ruKeyPaste: 'Вставить (тогда он хранится в конфиге, права 0600)',
    ruKeyPath: 'Путь к файлу приватного ключа:',
    ruKeyPasted: 'Приватный ключ (одна строка Base64, как в RuStore Консоли):',
    required: 'Обязательно.',
    fileMissing: (path) => `Нет доступного для чтения файла ${path}.`,
    notP8: 'Это не файл приватного ключа (.p8 начинается с «-----BEGIN PRIVATE KEY-----»).',
    notServiceAccount: 'Это не JSON-ключ сервисного аккаунта (нужны client_email и private_key).',
    accepted: (store) => `✓ ${storeKeyNames[store]} принял ключи.`,
    refused: (store, m) => `✗ ${storeKeyNames[store]}: ${m}`,
    whatNow: 'Что дальше?',
    retype: 'Ввести заново',
    keepUnchecked: 'Всё равно оставить',
    playPermission: (app, m) => `! ${app}: ${m}`,
    fromEnv: (store) => `Ключи ${storeKeyNames[store]} заданы переменными окружения: они проверяются, но не записываются.`,
  },
  finish: {
    title: '\nГотово.',
    next: 'Дальше:',
    check: (f) => `  asodesk-omni config check --online${f}   ещё раз проверить все ключи`,
    sync: (f) => `  asodesk-omni sync${f}                    загрузить отзывы сейчас (cron: */5 * * * * asodesk-omni sync --quiet${f})`,
    serve: (f) => `  asodesk-omni serve-hook${f}              публиковать ответы агентов (за вашим reverse proxy)`,
  },
  nonInteractive: {
    missing: (list) => `Не хватает настроек:\n${list.map((l) => `  - ${l}`).join('\n')}\nНичего не записано.`,
    missingHint: 'Передайте их флагами, переменными окружения или в файле --from (см. `asodesk-omni init --help`), или запустите `asodesk-omni init` в терминале.',
    invalid: 'Настройки неверны; ничего не записано.',
    liveFailed: (m) => `${m}\nНичего не записано.`,
    liveHint: 'Исправьте настройку или добавьте --offline, чтобы записать конфиг без проверки.',
    channelUnknown: (ch, known) => `omnidesk.channel: в Omnidesk нет пользовательского канала ${ch} (каналы: ${known.join(', ') || 'нет'}).`,
    written: (path) => `✓ Конфиг записан в ${path}.`,
    fieldFound: (id) => `✓ поле обращения cf_${id} найдено.`,
    fieldMissing: (title) => `! Нет поля обращения «${title}»: создайте «Текстовое поле» обращений с этим названием (Omnidesk → Настройки → Поля обращений) и запустите init снова.`,
    noTerminal: 'init задаёт вопросы, но это не терминал.',
  },
};

export function messagesFor(lang: Lang): Messages {
  return lang === 'ru' ? ru : en;
}
