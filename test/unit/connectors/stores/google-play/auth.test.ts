import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { ServiceAccountTokens } from '../../../../../src/connectors/stores/google-play/auth.js';
import { RemoteError } from '../../../../../src/errors.js';
import { memoryLogger } from '../../../../../src/log.js';
import { makeServiceAccount } from '../../../../helpers/google-keys.js';

const unhandled: unknown[] = [];
const onUnhandled = (err: unknown): void => {
  unhandled.push(err);
};

afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});

describe('Google Play token exchange transport', () => {
  it('posts through our undici dispatcher, never through gaxios’s own fetch', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    const { account } = makeServiceAccount('https://tokens.example.test/token');
    let form = '';
    agent
      .get('https://tokens.example.test')
      .intercept({ path: '/token', method: 'POST', body: (b) => ((form = b), true) })
      .reply(200, { access_token: 'ya29.mock', expires_in: 3600, token_type: 'Bearer' });
    const tokens = new ServiceAccountTokens(account, { logger: memoryLogger(), dispatcher: agent });
    expect(await tokens.token()).toBe('ya29.mock');
    expect(new URLSearchParams(form).get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    agent.assertNoPendingInterceptors();
  });

  it('a token endpoint that outlasts the timeout is a transient error, with no unhandled rejection', async () => {
    process.on('unhandledRejection', onUnhandled);
    // Sends headers, then never finishes the body: the case that killed the process before.
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"access_token":');
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const { port } = server.address() as AddressInfo;
    try {
      const { account } = makeServiceAccount(`http://127.0.0.1:${port}/token`);
      const tokens = new ServiceAccountTokens(account, { logger: memoryLogger(), timeoutMs: 200 });
      const err = await tokens.token().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(RemoteError);
      // Let any stray rejection surface before looking.
      await new Promise((ok) => setTimeout(ok, 300));
      expect(unhandled).toEqual([]);
    } finally {
      server.closeAllConnections();
      await new Promise((ok) => server.close(ok));
    }
  });
});
