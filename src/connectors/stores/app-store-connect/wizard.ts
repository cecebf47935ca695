/**
 * What `init` and `demo` know of the App Store: its questions (en, ru), flags, addresses and
 * app ids. Imports only the contract: `--help` lists these flags.
 */
import { stringField, type StoreWizard } from '../wizard-types.js';

const ask = {
  en: {
    issuerId: 'Issuer ID (App Store Connect → Users and Access → Integrations → App Store Connect API):',
    keyId: 'Key ID:',
    p8Path: 'Path to the .p8 key file (AuthKey_XXXXXXXXXX.p8):',
    notP8: 'This is not a private key file (.p8 starts with "-----BEGIN PRIVATE KEY-----").',
  },
  ru: {
    issuerId: 'Issuer ID (App Store Connect → Пользователи и доступ → Интеграции → App Store Connect API):',
    keyId: 'Key ID:',
    p8Path: 'Путь к файлу ключа .p8 (AuthKey_XXXXXXXXXX.p8):',
    notP8: 'Это не файл приватного ключа (.p8 начинается с «-----BEGIN PRIVATE KEY-----»).',
  },
} as const;

/** The App Store names apps by the number App Store Connect shows as "Apple ID". */
export function isAppStoreId(appId: string): boolean {
  return /^\d+$/.test(appId);
}

export const wizard: StoreWizard = {
  id: 'app-store',
  name: 'App Store',
  consoleName: 'App Store Connect',
  configKey: 'appStore',
  envPattern: 'ASODESK_OMNI_APPSTORE_*',
  appFlagHint: 'app-store:<numeric id>',
  exampleAppId: '1234567890',
  filters: { countries: true, languages: false },
  texts: {
    en: {
      appIdQuestion: 'App Store app id (App Store Connect → App Information → Apple ID, a number):',
      appIdProblem: 'The App Store app id is a number, e.g. 1234567890.',
      flagAppIdProblem:
        'the App Store app id is a number, e.g. 1234567890 (or id1234567890, or the apps.apple.com URL)',
    },
    ru: {
      appIdQuestion:
        'Номер приложения в App Store (App Store Connect → Информация о приложении → Apple ID; можно вставить ссылку на страницу в App Store):',
      appIdProblem:
        'Номер приложения в App Store — число, например 1234567890, или ссылка вида apps.apple.com/…/id1234567890.',
      flagAppIdProblem:
        'номер приложения в App Store — число, например 1234567890 (или id1234567890, или ссылка apps.apple.com)',
    },
  },
  isStorePage: (url) => url.hostname === 'apps.apple.com' || url.hostname === 'itunes.apple.com',
  // `1234567890`, `id1234567890` or `https://apps.apple.com/us/app/acme/id1234567890`.
  normaliseAppId(text) {
    const raw = text.trim();
    const m = /(?:^|\/)id(\d+)(?:[/?#]|$)/i.exec(raw) ?? /^id(\d+)$/i.exec(raw);
    return m ? m[1]! : raw;
  },
  isAppId: isAppStoreId,
  localIdOf: (appId) => `ios-${appId}`,
  endpoints: [
    {
      id: 'appStore',
      flag: '--app-store-url',
      field: 'baseUrl',
      production: 'https://api.appstoreconnect.apple.com',
      help: 'App Store Connect API base URL',
      names: { en: 'App Store Connect API', ru: 'App Store Connect API' },
    },
    {
      id: 'appStorePublic',
      flag: '--app-store-public-url',
      field: 'publicBaseUrl',
      production: 'https://itunes.apple.com',
      help: 'App Store public feed base URL',
      names: { en: 'App Store public feed', ru: 'публичная лента App Store' },
    },
  ],
  credentialFlags: [
    { flag: '--app-store-issuer-id', field: 'issuerId', isPath: false, help: 'App Store Connect API: issuer id' },
    { flag: '--app-store-key-id', field: 'keyId', isPath: false, help: 'App Store Connect API: key id' },
    { flag: '--app-store-key', field: 'privateKeyPath', isPath: true, help: 'App Store Connect API: the .p8 key file' },
  ],
  credentialGroups: [['issuerId'], ['keyId'], ['privateKeyPath', 'privateKey']],
  async askCredentials(p, current, lang) {
    const t = ask[lang];
    const issuerId = await p.text(t.issuerId, stringField(current, 'issuerId'));
    const keyId = await p.text(t.keyId, stringField(current, 'keyId'));
    const privateKeyPath = await p.file(
      t.p8Path,
      stringField(current, 'privateKeyPath'),
      (s) => s.includes('PRIVATE KEY'),
      t.notP8,
    );
    return { issuerId, keyId, privateKeyPath };
  },
  demoAnswer: (s) =>
    `issuer ${stringField(s, 'issuerId') ?? ''}, key id ${stringField(s, 'keyId') ?? ''}, .p8 ${stringField(s, 'privateKeyPath') ?? ''}`,
};
