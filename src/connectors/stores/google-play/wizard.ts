/**
 * What `init` and `demo` know of Google Play: its questions (en, ru), flags, addresses and
 * app ids. Imports only leaf modules: `--help` lists these flags.
 */
import { packageNameTexts, isPackageName } from '../settings-common.js';
import { stringField, type StoreWizard } from '../wizard-types.js';

const ask = {
  en: {
    jsonPath: 'Path to the service-account JSON key (Google Cloud → IAM → Service accounts → Keys):',
    notServiceAccount: 'This is not a service-account JSON key (it needs client_email and private_key).',
  },
  ru: {
    jsonPath: 'Путь к JSON-ключу сервисного аккаунта (Google Cloud → IAM → Сервисные аккаунты → Ключи):',
    notServiceAccount: 'Это не JSON-ключ сервисного аккаунта (нужны client_email и private_key).',
  },
} as const;

function isServiceAccount(text: string): boolean {
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    return typeof j.client_email === 'string' && typeof j.private_key === 'string';
  } catch {
    return false;
  }
}

const isStorePage = (url: URL): boolean => url.hostname === 'play.google.com';

export const wizard: StoreWizard = {
  id: 'google-play',
  name: 'Google Play',
  consoleName: 'Google Play',
  configKey: 'googlePlay',
  envPattern: 'ASODESK_OMNI_GOOGLE_*',
  appFlagHint: 'google-play:<package>',
  exampleAppId: 'com.company.app',
  filters: { countries: false, languages: true },
  texts: packageNameTexts,
  isStorePage,
  // A package name, or the store page `https://play.google.com/store/apps/details?id=<package>`.
  normaliseAppId(text) {
    const raw = text.trim();
    try {
      const url = new URL(raw);
      return isStorePage(url) ? (url.searchParams.get('id') ?? raw) : raw;
    } catch {
      return raw;
    }
  },
  isAppId: isPackageName,
  endpoints: [
    {
      id: 'googlePlay',
      flag: '--google-play-url',
      field: 'baseUrl',
      production: 'https://androidpublisher.googleapis.com',
      help: 'Google Play Developer API base URL',
      names: { en: 'Google Play Developer API', ru: 'Google Play Developer API' },
    },
    {
      id: 'googlePlayToken',
      flag: '--google-play-token-url',
      field: 'tokenUri',
      production: undefined,
      help: "Google token endpoint (default: the key file's token_uri)",
      names: { en: 'Google token endpoint', ru: 'выдача токенов Google' },
    },
    {
      id: 'googlePlayPublic',
      flag: '--google-play-public-url',
      field: 'publicBaseUrl',
      production: 'https://play.google.com',
      help: 'Google Play web pages base URL',
      names: { en: 'Google Play web pages', ru: 'веб-страницы Google Play' },
    },
  ],
  credentialFlags: [
    {
      flag: '--google-play-key',
      field: 'serviceAccountPath',
      isPath: true,
      help: 'Google Play: the service-account JSON key file',
    },
  ],
  credentialGroups: [['serviceAccountPath', 'serviceAccountJson']],
  async askCredentials(p, current, lang) {
    const t = ask[lang];
    const serviceAccountPath = await p.file(
      t.jsonPath,
      stringField(current, 'serviceAccountPath'),
      isServiceAccount,
      t.notServiceAccount,
    );
    return { serviceAccountPath };
  },
  demoAnswer: (s) => stringField(s, 'serviceAccountPath') ?? '',
};
