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
  /** Each store's flags (addresses, credentials), as its connector declares them: commander's camel case. */
  [storeOption: string]: string | string[] | boolean | undefined;
}
