/**
 * The closed list of stores, as a leaf module: the domain types, the config schema and the
 * registry all import it without pulling in any connector.
 */
export const storeIds = ['app-store', 'google-play', 'rustore'] as const;
export type StoreId = (typeof storeIds)[number];
