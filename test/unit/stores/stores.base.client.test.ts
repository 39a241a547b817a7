import { expect } from 'chai';
import { BaseClient, type BaseTokens } from '../../../server/domains/stores/base/base.client.ts';

const app = { apiUrl: 'http://base.invalid', clientId: 'id', clientSecret: 'secret', redirectUri: 'https://desk.example.jp/stores/base/callback' };
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('the BASE client renewing its single-use refresh token', () => {
  it('keeps the pair BASE issued even when the run’s deadline comes while BASE is answering the renewal (the old refresh token is spent)', async () => {
    const run = new AbortController();
    const saved: BaseTokens[] = [];
    // BASE's side: the renewal is done (the old refresh token spent) when the run's deadline comes, before its answer arrives.
    const base: typeof fetch = async (input, init) => {
      const url = String(input);
      if (url.endsWith('/1/oauth/token')) {
        run.abort(new Error('the run’s deadline'));
        if (init?.signal?.aborted) throw init.signal.reason;
        return json(200, { access_token: 'access-2', refresh_token: 'refresh-2', expires_in: 3600 });
      }
      if (init?.signal?.aborted) throw init.signal.reason;
      return json(200, { orders: [] });
    };
    const client = new BaseClient({
      app,
      fetch: base,
      signal: run.signal,
      tokens: { access: 'access-1', refresh: 'refresh-1', expiresAt: new Date(Date.now() - 1000) },
      saveTokens: async (t) => void saved.push(t),
    });
    const error = await client.get('/1/orders').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error, 'the run still ends at its deadline').to.be.instanceOf(Error);
    expect(saved.map((t) => [t.access, t.refresh])).to.deep.equal([['access-2', 'refresh-2']]);
  });
});
