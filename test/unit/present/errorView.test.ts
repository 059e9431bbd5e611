/**
 * An error as it crosses to a panel (src/present/errorView.ts): the parts of an InspectorError as
 * fields, each redacted, that compose back into exactly its message; anything else is 'internal'.
 * And the webview's end (webview-ui/rpc.ts RpcError): the display text is composed from the fields,
 * which stay readable as they came.
 */
import { strict as assert } from 'node:assert';
import { InspectorError } from '../../../src/core/errors';
import { Redactor } from '../../../src/core/http/redact';
import { errorView } from '../../../src/present/errorView';
import { errorText, STEP } from '../../../src/shared/codes';
import { RpcError } from '../../../webview-ui/rpcError';

describe('present/errorView: an error as fields across the webview boundary', () => {
  it('an InspectorError travels as code, bare detail, step, URL, hint and scopes; errorText gives back its message', () => {
    const err = new InspectorError('invalid_grant', 'the authorization server rejected the grant: invalid_grant', {
      step: STEP.tokenRefresh,
      url: 'https://as.example/token',
      hint: 'Sign in again',
    });
    const v = errorView(err, (s) => s);
    assert.deepEqual(v, { code: 'invalid_grant', message: 'the authorization server rejected the grant: invalid_grant', step: 'token refresh', url: 'https://as.example/token', hint: 'Sign in again' });
    assert.equal(errorText(v), err.message);
  });

  it('every part is redacted, not only the composed text', () => {
    const r = new Redactor();
    r.addSecret('SECRET-REFRESH-123456');
    const err = new InspectorError('insufficient_scope', 'tools/call needs more scope: SECRET-REFRESH-123456', {
      step: 'tools/call SECRET-REFRESH-123456',
      url: 'https://as.example/SECRET-REFRESH-123456',
      hint: 'echoed SECRET-REFRESH-123456',
      scopes: ['files:read'],
    });
    const v = errorView(err, (s) => r.text(s));
    assert.ok(!JSON.stringify(v).includes('SECRET-REFRESH-123456'), JSON.stringify(v));
    assert.deepEqual(v.scopes, ['files:read']);
  });

  it('an error that is not an InspectorError is internal, with its message and no fields', () => {
    assert.deepEqual(errorView(new TypeError('x is not a function'), (s) => s), { code: 'internal', message: 'x is not a function' });
    assert.deepEqual(errorView('thrown text', (s) => s), { code: 'internal', message: 'thrown text' });
  });

  it("the webview's RpcError shows the composed text and keeps the fields as they came", () => {
    const view = { code: 'refresh_failed' as const, message: 'there is no refresh token', step: 'token refresh', hint: 'Sign in again' };
    const e = new RpcError(view);
    assert.equal(e.message, 'token refresh: there is no refresh token. Sign in again');
    assert.equal(e.code, 'refresh_failed');
    assert.equal(e.detail, 'there is no refresh token');
    assert.deepEqual(e.view(), { ...view, url: undefined });
  });
});
