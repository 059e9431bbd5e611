import { strict as assert } from 'node:assert';
import type { ServerResponse } from 'node:http';
import { isInspectorError } from '../../../src/core/errors';
import { readSecuritySchemes, toolSecurity, type RefusedWithoutToken } from '../../../src/core/mcp/toolSecurity';
import { useOAuthFixtures, type FixtureRequest } from '../../fixtures/oauthFixture';

const tool = (extra: Record<string, unknown> = {}) => ({ name: 't', inputSchema: { type: 'object' }, ...extra });

describe('toolSecurity', () => {
  describe('declared schemes', () => {
    it('noauth: anonymous, no token needed, covered without a token', () => {
      const s = toolSecurity(tool({ securitySchemes: [{ type: 'noauth' }] }), [], false, true);
      assert.deepEqual(s.schemes, [{ type: 'noauth' }]);
      assert.equal(s.source, 'securitySchemes');
      assert.equal(s.anonymous, true);
      assert.equal(s.requiresAuth, false);
      assert.deepEqual(s.scopesNeeded, []);
      assert.deepEqual(s.missing, []);
      assert.equal(s.covered, true);
    });

    it('oauth2 with scopes, no token: not covered, every scope missing', () => {
      const s = toolSecurity(tool({ securitySchemes: [{ type: 'oauth2', scopes: ['files:read', 'files:write'] }] }), [], false, false);
      assert.equal(s.anonymous, false);
      assert.equal(s.requiresAuth, true);
      assert.deepEqual(s.scopesNeeded, ['files:read', 'files:write']);
      assert.deepEqual(s.missing, ['files:read', 'files:write']);
      assert.equal(s.covered, false);
    });

    it('oauth2 with scopes: missing computed against the held scopes', () => {
      const s = toolSecurity(tool({ securitySchemes: [{ type: 'oauth2', scopes: ['files:read', 'files:write'] }] }), ['files:read', 'other'], true, true);
      assert.deepEqual(s.scopesHeld, ['files:read', 'other']);
      assert.deepEqual(s.missing, ['files:write']);
      assert.equal(s.covered, false);
    });

    it('oauth2 with scopes: covered when the token holds all of them', () => {
      const s = toolSecurity(tool({ securitySchemes: [{ type: 'oauth2', scopes: ['a', 'b'] }] }), ['b', 'a', 'c'], true, true);
      assert.deepEqual(s.missing, []);
      assert.equal(s.covered, true);
    });

    it('held scopes do not count without a token', () => {
      const s = toolSecurity(tool({ securitySchemes: [{ type: 'oauth2', scopes: ['a'] }] }), ['a'], false, true);
      assert.equal(s.covered, false);
      assert.deepEqual(s.missing, ['a']);
    });

    it('oauth2 without scopes: any token covers it', () => {
      const none = toolSecurity(tool({ securitySchemes: [{ type: 'oauth2' }] }), [], false, false);
      assert.deepEqual(none.schemes, [{ type: 'oauth2', scopes: [] }]);
      assert.equal(none.requiresAuth, true);
      assert.equal(none.covered, false);
      const withToken = toolSecurity(tool({ securitySchemes: [{ type: 'oauth2' }] }), [], true, false);
      assert.equal(withToken.covered, true);
    });

    it('noauth + oauth2: anonymous and covered without a token, scopes still reported', () => {
      const s = toolSecurity(tool({ securitySchemes: [{ type: 'noauth' }, { type: 'oauth2', scopes: ['x'] }] }), [], false, true);
      assert.equal(s.anonymous, true);
      assert.equal(s.requiresAuth, false);
      assert.equal(s.covered, true);
      assert.deepEqual(s.scopesNeeded, ['x']);
    });

    it('several oauth2 alternatives: aims for the one with the fewest missing scopes', () => {
      const schemes = [
        { type: 'oauth2', scopes: ['admin', 'files:write'] },
        { type: 'oauth2', scopes: ['files:read', 'files:write'] },
        { type: 'oauth2', scopes: ['everything', 'x', 'y'] },
      ];
      const s = toolSecurity(tool({ securitySchemes: schemes }), ['files:read'], true, true);
      assert.deepEqual(s.scopesNeeded, ['files:read', 'files:write']);
      assert.deepEqual(s.missing, ['files:write']);
      assert.equal(s.covered, false);
      const covered = toolSecurity(tool({ securitySchemes: schemes }), ['admin', 'files:write'], true, true);
      assert.deepEqual(covered.scopesNeeded, ['admin', 'files:write']);
      assert.equal(covered.covered, true);
      // Without a token the first alternative with the fewest scopes wins.
      const anon = toolSecurity(tool({ securitySchemes: schemes }), [], false, true);
      assert.deepEqual(anon.scopesNeeded, ['admin', 'files:write']);
      assert.deepEqual(anon.missing, ['admin', 'files:write']);
    });

    it('reads _meta.securitySchemes when the top-level field is absent', () => {
      const s = toolSecurity(tool({ _meta: { securitySchemes: [{ type: 'oauth2', scopes: ['profile'] }] } }), ['profile'], true, false);
      assert.equal(s.source, '_meta.securitySchemes');
      assert.deepEqual(s.scopesNeeded, ['profile']);
      assert.equal(s.covered, true);
    });

    it('the top-level field wins over _meta', () => {
      const r = readSecuritySchemes(tool({ securitySchemes: [{ type: 'noauth' }], _meta: { securitySchemes: [{ type: 'oauth2', scopes: ['a'] }] } }));
      assert.equal(r.source, 'securitySchemes');
      assert.deepEqual(r.schemes, [{ type: 'noauth' }]);
    });

    it('a malformed top-level field falls back to a valid _meta declaration', () => {
      const r = readSecuritySchemes(tool({ securitySchemes: 'noauth', _meta: { securitySchemes: [{ type: 'oauth2', scopes: ['a'] }] } }));
      assert.equal(r.source, '_meta.securitySchemes');
    });
  });

  describe('absent declaration (the server default)', () => {
    it('server does not require auth: anonymous and covered', () => {
      const s = toolSecurity(tool(), [], false, false);
      assert.equal(s.schemes, undefined);
      assert.equal(s.source, 'default');
      assert.equal(s.anonymous, true);
      assert.equal(s.requiresAuth, false);
      assert.equal(s.covered, true);
    });

    it('server requires auth: locked without a token, covered with one', () => {
      const locked = toolSecurity(tool(), [], false, true);
      assert.equal(locked.anonymous, false);
      assert.equal(locked.requiresAuth, true);
      assert.equal(locked.covered, false);
      assert.deepEqual(locked.missing, []);
      const open = toolSecurity(tool(), ['a'], true, true);
      assert.equal(open.covered, true);
      assert.deepEqual(open.scopesHeld, ['a']);
    });
  });

  describe('malformed declarations are ignored, never trusted', () => {
    const malformed: Array<[string, unknown]> = [
      ['a string', 'noauth'],
      ['an object', { type: 'noauth' }],
      ['null', null],
      ['a number', 42],
      ['an array of strings', ['noauth', 'oauth2']],
      ['an array of nulls and numbers', [null, 1, true]],
      ['unknown types', [{ type: 'apiKey' }, { type: 'NOAUTH' }, { type: ['noauth'] }]],
      ['an empty array', []],
    ];
    for (const [label, value] of malformed) {
      it(`top-level securitySchemes as ${label} → server default`, () => {
        const s = toolSecurity(tool({ securitySchemes: value }), [], false, true);
        assert.equal(s.source, 'default');
        assert.equal(s.schemes, undefined);
        assert.equal(s.covered, false, 'an unparseable declaration must not make a tool look public');
      });
    }

    it('_meta that is not an object is ignored', () => {
      for (const meta of ['x', 1, null, [{ securitySchemes: [{ type: 'noauth' }] }]]) {
        assert.equal(readSecuritySchemes(tool({ _meta: meta })).source, 'default');
      }
    });

    it('non-string scopes are dropped', () => {
      const s = toolSecurity(tool({ securitySchemes: [{ type: 'oauth2', scopes: ['ok', 1, null, { a: 1 }, ['x']] }] }), [], false, false);
      assert.deepEqual(s.scopesNeeded, ['ok']);
    });

    it('scopes that are not an array count as none', () => {
      const s = toolSecurity(tool({ securitySchemes: [{ type: 'oauth2', scopes: 'a b' }] }), [], true, false);
      assert.deepEqual(s.scopesNeeded, []);
      assert.equal(s.covered, true);
    });

    it('valid entries survive next to junk ones', () => {
      const r = readSecuritySchemes(tool({ securitySchemes: ['noauth', null, { type: 'oauth2', scopes: ['a'] }, 7] }));
      assert.deepEqual(r.schemes, [{ type: 'oauth2', scopes: ['a'] }]);
    });

    it('huge arrays are capped (16 schemes, 64 scopes each)', () => {
      const hugeSchemes = Array.from({ length: 100_000 }, (_, i) => ({ type: 'oauth2', scopes: [`s${i}`] }));
      const r = readSecuritySchemes(tool({ securitySchemes: hugeSchemes }));
      assert.equal(r.schemes?.length, 16);
      const hugeScopes = Array.from({ length: 100_000 }, (_, i) => `scope${i}`);
      const s = toolSecurity(tool({ securitySchemes: [{ type: 'oauth2', scopes: hugeScopes }] }), [], false, false);
      assert.equal(s.scopesNeeded.length, 64);
    });

    it('a noauth hidden past the cap does not make the tool public', () => {
      const schemes = [...Array.from({ length: 16 }, () => ({ type: 'oauth2', scopes: ['a'] })), { type: 'noauth' }];
      const s = toolSecurity(tool({ securitySchemes: schemes }), [], false, false);
      assert.equal(s.anonymous, false);
    });

    it('a __proto__ key in a scheme does not pollute anything', () => {
      const scheme = JSON.parse('{"type":"oauth2","scopes":["a"],"__proto__":{"polluted":true}}') as unknown;
      const s = toolSecurity(tool({ securitySchemes: [scheme] }), [], false, false);
      assert.deepEqual(s.scopesNeeded, ['a']);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });
  });

  describe('declared versus observed: a tool declared public that the server refuses without a token', () => {
    const refused: RefusedWithoutToken = { status: 401, via: 'http', at: 1 };

    it('noauth refused → a mismatch saying what was declared and what happened; the declaration itself is kept', () => {
      const s = toolSecurity(tool({ securitySchemes: [{ type: 'noauth' }] }), [], false, true, refused);
      assert.equal(s.mismatch?.message, 'declared public (noauth), but the server answered 401 to a call without a token');
      assert.equal(s.mismatch?.declared, 'public (noauth)');
      assert.deepEqual(s.mismatch?.observed, refused);
      assert.equal(s.anonymous, true, 'shown as declared, with the warning beside it');
    });

    it('noauth + oauth2 refused, and a tool-level challenge: said so', () => {
      const s = toolSecurity(tool({ securitySchemes: [{ type: 'noauth' }, { type: 'oauth2', scopes: ['x'] }] }), [], false, false, { status: 401, via: 'tool-result', at: 1 });
      assert.equal(s.mismatch?.message, 'declared public or OAuth (noauth, oauth2), but the server answered a call without a token with an authorization challenge in the tool result (401)');
    });

    it('no disagreement: nothing observed, an oauth2-only or undeclared tool refused', () => {
      assert.equal(toolSecurity(tool({ securitySchemes: [{ type: 'noauth' }] }), [], false, true).mismatch, undefined);
      assert.equal(toolSecurity(tool({ securitySchemes: [{ type: 'oauth2', scopes: ['a'] }] }), [], false, true, refused).mismatch, undefined);
      assert.equal(toolSecurity(tool(), [], false, true, refused).mismatch, undefined);
    });
  });

  describe('the session records what a call without a token met', () => {
    const { fixture, connect } = useOAuthFixtures();
    const PUBLIC = [{ name: 'public_info', securitySchemes: [{ type: 'noauth' }] }, { name: 'echo' }];

    it('after Sign Out on an all-OAuth server, the tool declared public is refused (401) → flagged on the tool; signing in keeps the flag', async () => {
      const fx = await fixture({ tools: PUBLIC });
      const conn = connect(fx);
      await conn.session.connect();
      const info = () => conn.session.securityOf({ name: 'public_info', inputSchema: { type: 'object' }, securitySchemes: PUBLIC[0].securitySchemes } as never);
      assert.equal(info().mismatch, undefined, 'nothing observed yet');
      await conn.auth.signOut();
      const err = await conn.session.callTool('public_info', {}, { authorize: false }).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(isInspectorError(err, 'authorization_required'), String(err));
      const s = info();
      assert.equal(s.anonymous, true);
      assert.equal(s.mismatch?.message, 'declared public (noauth), but the server answered 401 to a call without a token');
      assert.equal(s.mismatch?.observed.via, 'http');
      // an undeclared tool is not flagged (nothing was declared to disagree with)
      assert.equal(conn.session.securityOf({ name: 'echo', inputSchema: { type: 'object' } }).mismatch, undefined);
      // signing in makes the call work (with a token): what was seen without one still stands
      await conn.session.callTool('public_info');
      assert.ok(conn.auth.tokens);
      assert.equal(info().mismatch?.observed.status, 401);
    });

    it('a tool-level challenge to a call without a token flags it too; a later call without a token that succeeds clears it', async () => {
      const fx = await fixture({ anonymousTools: true, tools: PUBLIC });
      let challenge = true;
      fx.intercept = (server: 'as' | 'mcp', req: FixtureRequest, res: ServerResponse) => {
        if (server !== 'mcp' || req.method !== 'POST' || !challenge) return false;
        const msg = JSON.parse(req.body) as { id?: unknown; method?: string; params?: { name?: string } };
        if (msg.method !== 'tools/call' || msg.params?.name !== 'public_info' || req.headers.authorization) return false;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: { isError: true, content: [{ type: 'text', text: 'sign in' }], _meta: { 'mcp/www_authenticate': `Bearer resource_metadata="${fx.resourceMetadataUrl}"` } } }));
        return true;
      };
      const conn = connect(fx);
      await conn.session.connect();
      const tool = { name: 'public_info', inputSchema: { type: 'object' as const }, securitySchemes: [{ type: 'noauth' }] };
      await conn.session.inspectToolCall('public_info', {}, { authorize: false }).catch(() => undefined);
      const s = conn.session.securityOf(tool);
      assert.equal(s.mismatch?.observed.via, 'tool-result');
      assert.match(s.mismatch?.message ?? '', /^declared public \(noauth\), but the server answered a call without a token with an authorization challenge/);
      challenge = false;
      await conn.session.inspectToolCall('public_info', {}, { authorize: false });
      assert.equal(conn.session.securityOf(tool).mismatch, undefined, 'the server now answers without a token');
    });
  });
});
