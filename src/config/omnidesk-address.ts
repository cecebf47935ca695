/**
 * Where an Omnidesk account lives: `https://<subdomain>.<domain>`, the domain being omnidesk.ru
 * (default) or deskie.io (Omnidesk's English edition, the same API), unless `baseUrl` overrides
 * it (a proxy, the emulators).
 */
export const omnideskDomains = ['omnidesk.ru', 'deskie.io'] as const;
export type OmnideskDomain = (typeof omnideskDomains)[number];
export const defaultOmnideskDomain: OmnideskDomain = 'omnidesk.ru';

export function omnideskBaseUrl(a: {
  subdomain?: string | undefined;
  domain?: OmnideskDomain | undefined;
  baseUrl?: string | undefined;
}): string | undefined {
  if (a.baseUrl) return a.baseUrl;
  return a.subdomain ? `https://${a.subdomain}.${a.domain ?? defaultOmnideskDomain}` : undefined;
}
