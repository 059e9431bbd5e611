import { strict as assert } from 'node:assert';
import { isInspectorError } from '../../../src/core/errors';
import type { DiscoveryResult } from '../../../src/core/oauth/discovery';
import {
  AttemptBudget,
  attemptsExhaustedError,
  authorizationNeededError,
  DEFAULT_MAX_ATTEMPTS,
  isAuthChallenge,
  isStepUp,
  scopesNeeded,
  scopesNotGranted,
  selectScope,
} from '../../../src/core/oauth/stepUp';

/** Pure policy: no server, no store, no clock — every case is a table row. */
function disc(asScopes?: string[], prmScopes?: string[]): Pick<DiscoveryResult, 'as' | 'resourceMetadata'> {
  return {
    as: { issuer: 'https://as.example', ...(asScopes ? { scopes_supported: asScopes } : {}) },
    ...(prmScopes ? { resourceMetadata: { resource: 'https://mcp.example/mcp', scopes_supported: prmScopes } } : {}),
  } as Pick<DiscoveryResult, 'as' | 'resourceMetadata'>;
}
const plain = { granted: [], interactive: true };

describe('core/oauth/stepUp', () => {
  describe('selectScope (MCP authorization, scope selection)', () => {
    it('the challenge, else the resource metadata, else nothing', () => {
      assert.equal(selectScope(disc(), 'a b', false, plain), 'a b');
      assert.equal(selectScope(disc(undefined, ['r1', 'r2']), undefined, false, plain), 'r1 r2');
      assert.equal(selectScope(disc(), undefined, false, plain), undefined);
      assert.equal(selectScope(disc(undefined, ['r1']), 'c', false, plain), 'c', 'the challenge wins over scopes_supported');
    });

    it("the user's explicit scopes first, joined with the challenge's", () => {
      assert.equal(selectScope(disc(), 'x', false, { ...plain, userScopes: ['mine'] }), 'mine x');
      assert.equal(selectScope(disc(['x']), 'x offline_access', false, { ...plain, userScopes: ['mine', 'offline_access'] }), 'mine offline_access x');
    });

    it('offline_access only when the authorization server lists it; added then for the interactive grant only', () => {
      assert.equal(selectScope(disc(['x']), 'x offline_access', false, plain), 'x');
      assert.equal(selectScope(disc(), 'offline_access x', false, plain), 'x');
      assert.equal(selectScope(disc(['x', 'offline_access']), 'offline_access x', false, plain), 'offline_access x');
      assert.equal(selectScope(disc(['x', 'offline_access']), 'x', false, plain), 'x offline_access');
      assert.equal(selectScope(disc(['x', 'offline_access']), 'x', false, { ...plain, interactive: false }), 'x', 'client credentials: no refresh token to ask for');
      assert.equal(selectScope(disc(['a']), undefined, false, { ...plain }), undefined, 'nothing to ask for: no offline_access alone');
      assert.equal(selectScope(disc(['a'], ['a', 'offline_access']), undefined, false, plain), 'a');
    });

    it('a step-up asks for the union with what the token holds', () => {
      assert.equal(selectScope(disc(), 'write', true, { ...plain, granted: ['read'] }), 'read write');
      assert.equal(selectScope(disc(), 'write', false, { ...plain, granted: ['read'] }), 'write');
      assert.equal(selectScope(disc(), 'read', true, { ...plain, granted: ['read'] }), 'read');
    });
  });

  describe('challenges', () => {
    it('acts on a 401 and on a 403 insufficient_scope only', () => {
      assert.equal(isAuthChallenge(401, { scheme: 'bearer' }), true);
      assert.equal(isAuthChallenge(403, { scheme: 'bearer', error: 'insufficient_scope' }), true);
      assert.equal(isAuthChallenge(403, { scheme: 'bearer' }), false, 'a plain 403 is a refusal, not a challenge');
      assert.equal(isAuthChallenge(403, { scheme: 'bearer', error: 'invalid_token' }), false);
      for (const status of [200, 400, 404, 500]) assert.equal(isAuthChallenge(status, { scheme: 'bearer', error: 'insufficient_scope' }), false, String(status));
    });

    it('scopesNotGranted: the challenge scopes the token lacks; nothing without a token or without known scopes', () => {
      assert.deepEqual(scopesNotGranted(true, 'read', 'read write'), ['write']);
      assert.deepEqual(scopesNotGranted(true, 'read write', 'read'), []);
      assert.deepEqual(scopesNotGranted(false, 'read', 'write'), [], 'no token: a first sign-in, not a step-up');
      assert.deepEqual(scopesNotGranted(true, undefined, 'write'), [], 'unknown scopes: keep the refresh path');
      assert.deepEqual(scopesNotGranted(true, 'read', undefined), []);
    });

    it('isStepUp: a 403, insufficient_scope, or a 401 naming scopes the token lacks', () => {
      assert.equal(isStepUp(403, { scheme: 'bearer', error: 'insufficient_scope' }, []), true);
      assert.equal(isStepUp(401, { scheme: 'bearer', error: 'insufficient_scope' }, []), true);
      assert.equal(isStepUp(401, { scheme: 'bearer', scope: 'write' }, ['write']), true);
      assert.equal(isStepUp(401, { scheme: 'bearer', error: 'invalid_token' }, []), false, 'an expired token: refresh, not step up');
      assert.equal(isStepUp(401, { scheme: 'bearer' }, []), false);
    });
  });

  describe('attempts', () => {
    it(`at most ${DEFAULT_MAX_ATTEMPTS} authorizations per operation by default, counted per operation, reset on success`, () => {
      const b = new AttemptBudget();
      assert.deepEqual([b.take('op'), b.take('op'), b.take('op'), b.take('op'), b.take('op')], [1, 2, 3, undefined, undefined]);
      assert.equal(b.take('other'), 1, 'another operation has its own budget');
      b.reset('op');
      assert.equal(b.take('op'), 1);
      const one = new AttemptBudget(1);
      assert.deepEqual([one.take('x'), one.take('x')], [1, undefined]);
    });

    it('the give-up error says which operation, how many attempts and the scope asked for', () => {
      const up = attemptsExhaustedError('tools/call add', 3, true, 'write', 'https://mcp.example/mcp');
      assert.ok(isInspectorError(up, 'insufficient_scope'));
      assert.equal(up.step, 'step-up');
      assert.equal(up.url, 'https://mcp.example/mcp');
      assert.match(up.message, /tools\/call add after 3 authorization attempts \(it asks for scope "write"\)/);
      const no = attemptsExhaustedError('tools/list', 2, false, undefined, 'https://mcp.example/mcp');
      assert.ok(isInspectorError(no, 'unauthorized'));
      assert.equal(no.step, 'authorization');
      assert.doesNotMatch(no.message, /asks for scope/);
    });
  });

  describe('deferred challenges ("Sign in and call")', () => {
    it('scopesNeeded: the challenge scopes, else the selection without offline_access; and what is missing', () => {
      assert.deepEqual(scopesNeeded('a b', 'x offline_access', ['a']), { scopes: ['a', 'b'], missing: ['b'] });
      assert.deepEqual(scopesNeeded(undefined, 'x offline_access', []), { scopes: ['x'], missing: ['x'] });
      assert.deepEqual(scopesNeeded(undefined, undefined, []), { scopes: [], missing: [] });
    });

    it('authorizationNeededError: insufficient_scope for a step-up, authorization_required for a first sign-in; both carry the scopes', () => {
      const up = authorizationNeededError('tools/call add', { scopes: ['a', 'b'], missing: ['b'] }, true, 'https://mcp.example/mcp');
      assert.ok(isInspectorError(up, 'insufficient_scope'));
      assert.deepEqual(up.scopes, ['a', 'b']);
      assert.equal(up.step, 'step-up');
      assert.match(up.message, /missing b/);
      const first = authorizationNeededError('tools/call add', { scopes: ['a'], missing: ['a'] }, false, 'https://mcp.example/mcp');
      assert.ok(isInspectorError(first, 'authorization_required'));
      assert.deepEqual(first.scopes, ['a']);
      assert.equal(first.step, 'authorization');
      assert.match(first.message, /needs a signed-in token with scope "a"/);
    });
  });
});
