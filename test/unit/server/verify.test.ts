import { describe, expect, it } from 'vitest';
import { maskedTarget, matchWebhookPath, secretMatches } from '../../../src/server/verify.js';

describe('webhook secret', () => {
  it('matches only the exact secret, whatever the lengths', () => {
    expect(secretMatches('abc-secret-0123456789xyz', 'abc-secret-0123456789xyz')).toBe(true);
    expect(secretMatches('abc-secret-0123456789xy', 'abc-secret-0123456789xyz')).toBe(false);
    expect(secretMatches('abc-secret-0123456789xyz!', 'abc-secret-0123456789xyz')).toBe(false);
    expect(secretMatches('', 'abc')).toBe(false);
    expect(secretMatches(undefined, 'abc')).toBe(false);
  });

  it('reads the secret from the path or the query', () => {
    expect(matchWebhookPath(new URL('http://x/omnidesk/webhook/s3cr%2Fet'))).toEqual({ secret: 's3cr/et' });
    expect(matchWebhookPath(new URL('http://x/omnidesk/webhook/abc/'))).toEqual({ secret: 'abc' });
    expect(matchWebhookPath(new URL('http://x/omnidesk/webhook?secret=abc'))).toEqual({ secret: 'abc' });
    expect(matchWebhookPath(new URL('http://x/omnidesk/webhook'))).toEqual({ secret: undefined });
    expect(matchWebhookPath(new URL('http://x/omnidesk/webhook/a/b'))).toBeUndefined();
    expect(matchWebhookPath(new URL('http://x/other'))).toBeUndefined();
  });

  it('masks any secret in logged targets', () => {
    expect(maskedTarget('/omnidesk/webhook/abcdef')).toBe('/omnidesk/webhook/***');
    expect(maskedTarget('/omnidesk/webhook?x=1&secret=abcdef')).toBe('/omnidesk/webhook?x=1&secret=***');
    expect(maskedTarget('/omnidesk/webhook/abc?secret=def')).toBe('/omnidesk/webhook/***?secret=***');
    expect(maskedTarget('/healthz')).toBe('/healthz');
  });
});
