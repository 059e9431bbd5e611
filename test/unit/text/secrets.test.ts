import { strict as assert } from 'node:assert';
import { isSecretKey as redactIsSecretKey } from '../../../src/core/http/redact';
import { isSecretName, isSecretValue } from '../../../src/core/config/parseConfig';
import { isSecretKey, isSecretOption, looksLikeSecretName, looksLikeSecretValue } from '../../../src/core/text/secrets';

/** The wire names the trace redacts (as the redaction tests listed them). */
const WIRE = ['access_token', 'refresh_token', 'id_token', 'code', 'code_verifier', 'client_secret', 'client_assertion', 'assertion', 'subject_token', 'actor_token', 'registration_access_token', 'token', 'password', 'private_key_pem', 'idp_id_token', 'Authorization', 'PROXY-AUTHORIZATION', 'DPoP', 'cookie', 'Set-Cookie'];
/** The names the config import dropped (as its tests listed them). */
const CONFIG = ['Authorization', 'Proxy-Authorization', 'X-Api-Key', 'apikey', 'GITHUB_TOKEN', 'CLIENT_SECRET', 'DB_PASSWORD', 'Cookie', 'X-Auth', 'AWS_SESSION_TOKEN', 'credentials_file', 'Bearer', 'PWD_FILE'];

describe('core/text/secrets', () => {
  it('isSecretKey: the exact wire names, in any case; the redactor uses this very function', () => {
    for (const k of WIRE) assert.equal(isSecretKey(k), true, k);
    assert.equal(redactIsSecretKey, isSecretKey);
  });

  it('isSecretKey keeps what a person debugging a flow must read (exact names, not substrings)', () => {
    for (const k of ['client_id', 'grant_type', 'state', 'scope', 'redirect_uri', 'token_type', 'token_endpoint', 'expires_in', 'keys', 'content-type', 'www-authenticate', 'Mcp-Session-Id']) {
      assert.equal(isSecretKey(k), false, k);
    }
  });

  it('looksLikeSecretName: every config name of the old heuristic and every wire name (the union)', () => {
    for (const n of [...CONFIG, ...WIRE]) {
      assert.equal(looksLikeSecretName(n), true, n);
      assert.equal(isSecretName(n), true, n); // the config import asks the same policy
    }
    for (const n of ['Accept', 'X-Client', 'LOG_LEVEL', 'GIT_AUTHOR_NAME', 'AUTHOR', 'PORT', 'HOME', 'Content-Type', 'NODE_ENV']) assert.equal(looksLikeSecretName(n), false, n);
  });

  it('the two strictnesses differ where they should: a config names freely, the wire does not', () => {
    for (const n of ['token_type', 'token_endpoint', 'keys', 'X-Session']) {
      assert.equal(looksLikeSecretName(n), true, n);
      assert.equal(isSecretKey(n), false, n);
    }
  });

  it('looksLikeSecretValue: schemes, well-known prefixes, JWTs; not ordinary values', () => {
    for (const v of ['Bearer abc', 'basic dXNlcjpwdw==', 'DPoP eyJ', 'token x', 'sk-ant-api03-abcdefghijklmnop', 'rk_live_0123456789abcdef', 'ghp_0123456789abcdefghijklmnop', 'github_pat_0123456789abcdefghijklmno', 'glpat-0123456789abcdef', 'xoxb-1234567890-abc', 'AKIAABCDEFGHIJKLMNOP', 'AIza' + 'a'.repeat(32), 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig', '  Bearer padded  ']) {
      assert.equal(looksLikeSecretValue(v), true, v);
    }
    for (const v of ['debug', 'https://x.example', 'en', 'skip-this', 'Bearer', 'sk-short', 'AKIA']) assert.equal(looksLikeSecretValue(v), false, v);
  });

  it('a config value that is only placeholders is a reference, not a secret', () => {
    assert.equal(isSecretValue('${input:token}'), false);
    assert.equal(isSecretValue('Bearer ${input:token}'), true); // a scheme with a value: still a credential header
    assert.equal(isSecretValue('ghp_0123456789abcdefghijklmnop'), true);
  });

  it('isSecretOption: options that carry a secret; not ones that only contain "key" or "session"', () => {
    for (const o of ['--token', '-token', '--api-key', '--apikey', '--api_key', '--client-secret', '--password', '--pwd', '--credentials', '--auth', '--auth-header', '--github-token']) assert.equal(isSecretOption(o), true, o);
    for (const o of ['--key-file', '--keep-session', '--author', '--port', '--verbose', 'token', 'x--token']) assert.equal(isSecretOption(o), false, o);
  });
});
