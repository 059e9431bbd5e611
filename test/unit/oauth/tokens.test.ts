import * as assert from 'node:assert/strict';
import { isExpiring, type TokenSet } from '../../../src/core/oauth/tokens';

const token = (issuedAt: number, lifetime: number | undefined): TokenSet => ({
  access_token: 'a',
  token_type: 'Bearer',
  issued_at: issuedAt,
  expires_at: lifetime === undefined ? undefined : issuedAt + lifetime,
  issuer: 'http://127.0.0.1/',
  client_id: 'c',
  resource: 'http://127.0.0.1/mcp',
  grant: 'authorization_code',
});
const at = (seconds: number) => seconds * 1000;

describe('oauth/tokens: when a token counts as expiring (refresh ahead of expiry)', () => {
  it('an ordinary token is refreshed 30 s before it expires', () => {
    const t = token(1000, 600);
    assert.equal(isExpiring(t, at(1000)), false);
    assert.equal(isExpiring(t, at(1569)), false);
    assert.equal(isExpiring(t, at(1570)), true);
    assert.equal(isExpiring(t, at(1700)), true, 'expired');
  });

  it('a token shorter-lived than the margin is not "expiring" the moment it arrives (no refresh before every request)', () => {
    const t = token(1000, 3);
    assert.equal(isExpiring(t, at(1000)), false, 'fresh');
    assert.equal(isExpiring(t, at(1002)), false);
    assert.equal(isExpiring(t, at(1003)), true, 'at expiry');
    const minute = token(1000, 60);
    assert.equal(isExpiring(minute, at(1044)), false, 'a quarter of 60 s is the margin');
    assert.equal(isExpiring(minute, at(1045)), true);
  });

  it('a token without expires_in never counts as expiring; a nonsensical lifetime keeps the full margin', () => {
    assert.equal(isExpiring(token(1000, undefined), at(10_000_000)), false);
    const backwards = { ...token(1000, 600), issued_at: 2000 };
    assert.equal(isExpiring(backwards, at(1570)), true);
  });
});
