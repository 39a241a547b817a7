import { expect } from 'chai';
import { parseKeys } from '../../../server/core/sealed.ts';
import { authorizeUrl, issueState, OAuthRefusal, readState, STATE_SECONDS } from '../../../server/domains/stores/base/base.oauth.ts';

const keyring = parseKeys(`k1:${Buffer.alloc(32, 7).toString('base64')}`);
const other = parseKeys(`k1:${Buffer.alloc(32, 8).toString('base64')}`);
const shopId = '00000000-0000-4000-8000-0000000000a1';
const userId = '00000000-0000-4000-8000-0000000000c1';

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof OAuthRefusal) return e.code;
    throw e;
  }
  return 'accepted';
};

describe('BASE OAuth state', () => {
  it('reads back the shop and person it was issued for, in the browser that holds its cookie', () => {
    const { state, nonce } = issueState(keyring, shopId, userId);
    expect(readState(keyring, state, nonce)).to.include({ s: shopId, u: userId, n: nonce });
  });

  it('is refused when forged, edited, from another deployment, expired, or completed in another browser', () => {
    const now = Date.now();
    const { state, nonce } = issueState(keyring, shopId, userId, now);
    const [payload, mac] = state.split('.');
    const edited = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), s: '00000000-0000-4000-8000-0000000000a2' })).toString('base64url');
    expect(refusal(() => readState(keyring, undefined, nonce))).to.equal('invalid_state');
    expect(refusal(() => readState(keyring, 'not-a-state', nonce))).to.equal('invalid_state');
    expect(refusal(() => readState(keyring, `${edited}.${mac}`, nonce))).to.equal('invalid_state');
    expect(refusal(() => readState(other, state, nonce))).to.equal('invalid_state');
    expect(refusal(() => readState(keyring, state, nonce, now + (STATE_SECONDS + 1) * 1000))).to.equal('expired_state');
    expect(refusal(() => readState(keyring, state, undefined))).to.equal('wrong_browser');
    expect(refusal(() => readState(keyring, state, issueState(keyring, shopId, userId).nonce))).to.equal('wrong_browser');
  });

  it('the authorize URL asks BASE for read_users and read_orders, with our callback and the state', () => {
    const url = new URL(authorizeUrl({ apiUrl: 'https://api.thebase.in', clientId: 'abc', clientSecret: 's', redirectUri: 'https://desk.example.jp/stores/base/callback' }, 'st.ate'));
    expect(url.origin + url.pathname).to.equal('https://api.thebase.in/1/oauth/authorize');
    expect(Object.fromEntries(url.searchParams)).to.deep.equal({ response_type: 'code', client_id: 'abc', redirect_uri: 'https://desk.example.jp/stores/base/callback', scope: 'read_users read_orders', state: 'st.ate' });
    expect(url.search).to.include('scope=read_users%20read_orders');
  });
});
