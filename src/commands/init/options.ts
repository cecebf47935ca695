/** The flags of `init`, shared by the action and both of its modes. */
export interface InitOptions {
  lang?: string;
  nonInteractive?: boolean;
  from?: string;
  offline?: boolean;
  subdomain?: string;
  email?: string;
  channel?: string;
  publicUrl?: string;
  app?: string[];
  omnideskUrl?: string;
  appStoreUrl?: string;
  appStorePublicUrl?: string;
  googlePlayUrl?: string;
  googlePlayTokenUrl?: string;
  googlePlayPublicUrl?: string;
  rustoreUrl?: string;
  rustorePublicUrl?: string;
  appStoreIssuerId?: string;
  appStoreKeyId?: string;
  appStoreKey?: string;
  googlePlayKey?: string;
  rustoreKeyId?: string;
  rustoreKey?: string;
}
