/**
 * What `init` and `demo` know of RuStore: its questions (en, ru), flags, addresses and app
 * ids. Imports only leaf modules: `--help` lists these flags.
 */
import { isPackageName, packageNameTexts } from '../settings-common.js';
import { stringField, type StoreWizard } from '../wizard-types.js';

const ask = {
  en: {
    keyId: 'Key ID (RuStore Console → API keys):',
    keySource: 'Private key:',
    keyFile: 'From a file (the path is kept, not the key)',
    keyPaste: 'Paste it (it is then kept in the config, mode 0600)',
    keyPath: 'Path to the private key file:',
    keyPasted: 'Private key (one line of Base64, as RuStore Console shows it):',
    emptyFile: 'The file is empty.',
  },
  ru: {
    keyId: 'Key ID (RuStore Консоль → API ключи):',
    keySource: 'Приватный ключ:',
    keyFile: 'Из файла (в настройках хранится путь, а не ключ)',
    keyPaste: 'Вставить (тогда он хранится в файле настроек, права 0600)',
    keyPath: 'Путь к файлу приватного ключа:',
    keyPasted: 'Приватный ключ (одна строка Base64, как в консоли RuStore):',
    emptyFile: 'Файл пуст.',
  },
} as const;

const isStorePage = (url: URL): boolean => url.hostname === 'rustore.ru' || url.hostname.endsWith('.rustore.ru');

export const wizard: StoreWizard = {
  id: 'rustore',
  name: 'RuStore',
  consoleName: 'RuStore',
  configKey: 'rustore',
  envPattern: 'ASODESK_OMNI_RUSTORE_*',
  appFlagHint: 'rustore:<package>',
  exampleAppId: 'com.company.app',
  filters: { countries: false, languages: false },
  texts: packageNameTexts,
  isStorePage,
  // A package name, or the store page `https://www.rustore.ru/catalog/app/<package>`.
  normaliseAppId(text) {
    const raw = text.trim();
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return raw;
    }
    const m = isStorePage(url) ? /\/catalog\/app\/([^/?#]+)/.exec(url.pathname) : null;
    return m ? decodeURIComponent(m[1]!) : raw;
  },
  isAppId: isPackageName,
  endpoints: [
    {
      id: 'rustore',
      flag: '--rustore-url',
      field: 'baseUrl',
      production: 'https://public-api.rustore.ru',
      help: 'RuStore API base URL',
      names: { en: 'RuStore API', ru: 'RuStore API' },
    },
    {
      id: 'rustorePublic',
      flag: '--rustore-public-url',
      field: 'publicBaseUrl',
      production: 'https://backapi.rustore.ru',
      help: 'RuStore public API base URL',
      names: { en: 'RuStore public API', ru: 'публичный API RuStore' },
    },
  ],
  credentialFlags: [
    { flag: '--rustore-key-id', field: 'keyId', isPath: false, help: 'RuStore API: key id' },
    { flag: '--rustore-key', field: 'privateKeyPath', isPath: true, help: 'RuStore API: the private key file' },
  ],
  credentialGroups: [['keyId'], ['privateKeyPath', 'privateKey']],
  // The key comes from a file (its path is kept) or pasted (then kept inline, the config is 0600).
  async askCredentials(p, current, lang): Promise<Record<string, string>> {
    const t = ask[lang];
    const keyId = await p.text(t.keyId, stringField(current, 'keyId'));
    const source = await p.choose(
      t.keySource,
      [
        { name: t.keyFile, value: 'file' as const },
        { name: t.keyPaste, value: 'paste' as const },
      ],
      stringField(current, 'privateKey') ? 'paste' : 'file',
    );
    if (source === 'file') {
      const privateKeyPath = await p.file(
        t.keyPath,
        stringField(current, 'privateKeyPath'),
        (s) => s.trim().length > 0,
        t.emptyFile,
      );
      return { keyId, privateKeyPath };
    }
    return { keyId, privateKey: await p.secret(t.keyPasted) };
  },
  demoAnswer: (s) => `key id ${stringField(s, 'keyId') ?? ''}, key file ${stringField(s, 'privateKeyPath') ?? ''}`,
};
