/**
 * Connector id → connector, and store id → what is known about the store. The engine and the
 * commands ask these; nothing outside src/connectors/ branches on a store's name. Adding a
 * store: one connector folder (API and public source, its wizard.ts), one entry here and in
 * wizards.ts, one emulator.
 */
import { AppStoreConnector } from './app-store-connect/index.js';
import { AppStorePublicSource } from './app-store-public/index.js';
import { reviewsReport } from './google-play/export.js';
import { GooglePlayConnector } from './google-play/index.js';
import { quotaStatus } from './google-play/quota.js';
import { GooglePlayPublicSource } from './google-play-public/index.js';
import { storeIds, type StoreId } from './ids.js';
import { reviewsExport } from './rustore/export.js';
import { RuStoreConnector } from './rustore/index.js';
import { RuStorePublicSource } from './rustore-public/index.js';
import type { ApiConnectorClass, PublicConnectorClass, StoreDescriptor } from './types.js';
import { storeWizard } from './wizards.js';

export { storeIds, type StoreId };
export { allStoreWizards, storeWizard, type StoreWizard } from './wizards.js';

/** Names and filters, from the store's wizard module. */
function known(id: StoreId): Pick<StoreDescriptor, 'id' | 'name' | 'consoleName' | 'filters' | 'wizard'> {
  const w = storeWizard(id);
  return { id, name: w.name, consoleName: w.consoleName, filters: w.filters, wizard: w };
}

/** Every connector, by its folder name. */
export const connectors = {
  [AppStoreConnector.id]: AppStoreConnector,
  [AppStorePublicSource.id]: AppStorePublicSource,
  [GooglePlayConnector.id]: GooglePlayConnector,
  [GooglePlayPublicSource.id]: GooglePlayPublicSource,
  [RuStoreConnector.id]: RuStoreConnector,
  [RuStorePublicSource.id]: RuStorePublicSource,
} as const satisfies Record<string, ApiConnectorClass | PublicConnectorClass>;

const descriptors: Record<StoreId, StoreDescriptor> = {
  'app-store': {
    ...known('app-store'),
    api: AppStoreConnector,
    public: AppStorePublicSource,
    consoleLink: (r) => `https://appstoreconnect.apple.com/apps/${r.appId}/distribution/activity/ios/ratingsResponses`,
  },
  'google-play': {
    ...known('google-play'),
    deviceOs: 'Android',
    api: GooglePlayConnector,
    public: GooglePlayPublicSource,
    consoleLink: (r) =>
      `https://play.google.com/console/developers/app/user-feedback/reviews?packageName=${encodeURIComponent(r.appId)}&reviewId=${encodeURIComponent(r.reviewId)}`,
    quota: quotaStatus,
    exportFormat: reviewsReport,
  },
  rustore: {
    ...known('rustore'),
    deviceOs: 'Android',
    api: RuStoreConnector,
    public: RuStorePublicSource,
    consoleLink: (r) => `https://console.rustore.ru/apps?package=${encodeURIComponent(r.appId)}`,
    exportFormat: reviewsExport,
  },
};

export function storeDescriptor(id: StoreId): StoreDescriptor {
  return descriptors[id];
}

export function allStores(): StoreDescriptor[] {
  return storeIds.map((id) => descriptors[id]);
}

/** The store's name as customers know it. */
export function storeName(id: StoreId): string {
  return descriptors[id].name;
}

/** Names by id, for message tables. */
export const storeNames = Object.fromEntries(storeIds.map((id) => [id, descriptors[id].name])) as Record<
  StoreId,
  string
>;
