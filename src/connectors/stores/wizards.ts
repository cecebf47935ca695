/**
 * Store id → what `init` and `demo` ask and print for it (`<id>/wizard.ts`). Apart from
 * registry.ts (which re-exports it) because the registry pulls in every connector, and
 * `--help`, which lists the per-store flags, must not pay for that.
 */
import { wizard as appStore } from './app-store-connect/wizard.js';
import { wizard as googlePlay } from './google-play/wizard.js';
import { storeIds, type StoreId } from './ids.js';
import { wizard as rustore } from './rustore/wizard.js';
import type { StoreWizard } from './wizard-types.js';

export type { StoreWizard };

const wizards: Record<StoreId, StoreWizard> = { 'app-store': appStore, 'google-play': googlePlay, rustore };

export function storeWizard(id: StoreId): StoreWizard {
  return wizards[id];
}

/** Every store, in the order of the wizard's lists and the help. */
export function allStoreWizards(): StoreWizard[] {
  return storeIds.map((id) => wizards[id]);
}
