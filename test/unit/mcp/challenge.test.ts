// Tests for src/core/oauth/challenge.ts. They live here, next to the tool-level challenge tests,
// because test/unit/oauth belongs to the OAuth flow tests.
import { strict as assert } from 'node:assert';
import { bearerChallenge, parseChallenges, splitScopes, toolLevelChallenges, unionScopes } from '../../../src/core/oauth/challenge';

describe('WWW-Authenticate challenges', () => {
  describe('parseChallenges', () => {
    it('Bearer with resource_metadata (RFC 9728 §5.1)', async () => {
      const c = await parseChallenges('Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"');
      assert.equal(c.length, 1);
      assert.equal(c[0].scheme, 'bearer');
      assert.equal(c[0].resource_metadata, 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp');
      assert.equal(c[0].error, undefined);
    });

    it('scheme is case-insensitive and lower-cased', async () => {
      const c = await parseChallenges('BEARER realm="mcp"');
      assert.equal(c[0].scheme, 'bearer');
      assert.equal(c[0].realm, 'mcp');
    });

    it('scope with spaces, quoted', async () => {
      const c = await parseChallenges('Bearer realm="example", scope="files:read files:write openid"');
      assert.equal(c[0].scope, 'files:read files:write openid');
      assert.deepEqual(splitScopes(c[0].scope), ['files:read', 'files:write', 'openid']);
    });

    it('error=insufficient_scope with description and scope (RFC 6750 §3.1)', async () => {
      const c = await parseChallenges(
        'Bearer error="insufficient_scope", error_description="The request requires higher privileges", scope="admin:write", resource_metadata="https://rs.example/.well-known/oauth-protected-resource"',
      );
      assert.equal(c[0].error, 'insufficient_scope');
      assert.equal(c[0].error_description, 'The request requires higher privileges');
      assert.equal(c[0].scope, 'admin:write');
      assert.equal(c[0].resource_metadata, 'https://rs.example/.well-known/oauth-protected-resource');
    });

    it('error=invalid_token unquoted token values', async () => {
      const c = await parseChallenges('Bearer error=invalid_token, realm=api');
      assert.equal(c[0].error, 'invalid_token');
      assert.equal(c[0].realm, 'api');
    });

    it('multiple challenges in one header; bearerChallenge picks the Bearer one', async () => {
      const c = await parseChallenges('Basic realm="legacy", Bearer scope="mcp", resource_metadata="https://a.example/prm", DPoP algs="ES256"');
      assert.deepEqual(
        c.map((x) => x.scheme),
        ['basic', 'bearer', 'dpop'],
      );
      assert.equal(c[0].realm, 'legacy');
      const b = bearerChallenge(c);
      assert.equal(b?.scheme, 'bearer');
      assert.equal(b?.scope, 'mcp');
      assert.equal(b?.resource_metadata, 'https://a.example/prm');
    });

    it('bearerChallenge falls back to the first challenge, and to undefined', async () => {
      const c = await parseChallenges('Basic realm="x"');
      assert.equal(bearerChallenge(c)?.scheme, 'basic');
      assert.equal(bearerChallenge([]), undefined);
    });

    it('a bare scheme', async () => {
      const c = await parseChallenges('Bearer');
      assert.equal(c.length, 1);
      assert.equal(c[0].scheme, 'bearer');
    });

    it('escaped quotes in a quoted value', async () => {
      const c = await parseChallenges('Bearer error_description="say \\"hi\\""');
      assert.equal(c[0].error_description, 'say "hi"');
    });

    it('empty, missing and junk headers give no challenges (and never throw)', async () => {
      for (const h of [undefined, null, '', '   ', ',,,', '"', '=', '=====', '\u0000\u0001', 'Bearer ="x"']) {
        const c = await parseChallenges(h);
        assert.ok(Array.isArray(c), `array for ${JSON.stringify(h)}`);
        for (const x of c) assert.equal(typeof x.scheme, 'string');
      }
      assert.deepEqual(await parseChallenges(''), []);
      assert.deepEqual(await parseChallenges(null), []);
    });

    it('parameter values are never executed or URL-checked here, only carried as text', async () => {
      const c = await parseChallenges('Bearer resource_metadata="javascript:alert(1)", scope="<script>x</script>"');
      assert.equal(c[0].resource_metadata, 'javascript:alert(1)');
      assert.equal(c[0].scope, '<script>x</script>');
    });

    it('a header over 16 KB is ignored', async () => {
      const big = `Bearer scope="${'a '.repeat(9000)}", resource_metadata="https://x.example/prm"`;
      assert.ok(big.length > 16 * 1024);
      assert.deepEqual(await parseChallenges(big), []);
      const justUnder = `Bearer scope="${'a'.repeat(16 * 1024 - 40)}"`;
      assert.ok(justUnder.length <= 16 * 1024);
      assert.equal((await parseChallenges(justUnder)).length, 1);
    });
  });

  describe('toolLevelChallenges', () => {
    const challenge = 'Bearer error="insufficient_scope", scope="files:write"';

    it('a string under _meta["mcp/www_authenticate"] on an error result', () => {
      assert.deepEqual(toolLevelChallenges({ isError: true, content: [], _meta: { 'mcp/www_authenticate': challenge } }), [challenge]);
    });

    it('an array of strings; non-strings dropped; at most 8', () => {
      const r = toolLevelChallenges({ isError: true, content: [], _meta: { 'mcp/www_authenticate': [challenge, 1, null, 'Bearer scope="b"'] } });
      assert.deepEqual(r, [challenge, 'Bearer scope="b"']);
      const many = toolLevelChallenges({ isError: true, _meta: { 'mcp/www_authenticate': Array.from({ length: 100 }, (_, i) => `Bearer scope="s${i}"`) } });
      assert.equal(many.length, 8);
    });

    it('non-error results are ignored', () => {
      assert.deepEqual(toolLevelChallenges({ content: [], _meta: { 'mcp/www_authenticate': challenge } }), []);
      assert.deepEqual(toolLevelChallenges({ isError: false, content: [], _meta: { 'mcp/www_authenticate': challenge } }), []);
      assert.deepEqual(toolLevelChallenges({ isError: 'true', content: [], _meta: { 'mcp/www_authenticate': challenge } }), []);
    });

    it('results without _meta, with a wrong-typed _meta or value, and non-objects → none', () => {
      for (const r of [
        undefined,
        null,
        'x',
        42,
        { isError: true },
        { isError: true, _meta: 'x' },
        { isError: true, _meta: null },
        { isError: true, _meta: { 'mcp/www_authenticate': 7 } },
        { isError: true, _meta: { 'mcp/www_authenticate': { scope: 'x' } } },
        { isError: true, _meta: { www_authenticate: challenge } },
      ]) {
        assert.deepEqual(toolLevelChallenges(r), [], JSON.stringify(r));
      }
    });
  });

  describe('splitScopes / unionScopes', () => {
    it('splitScopes splits on any whitespace, drops empties and duplicates, keeps order', () => {
      assert.deepEqual(splitScopes('  b a\tb\n c  a '), ['b', 'a', 'c']);
      assert.deepEqual(splitScopes(''), []);
      assert.deepEqual(splitScopes(undefined), []);
      assert.deepEqual(splitScopes(null), []);
      assert.deepEqual(splitScopes('   '), []);
    });

    it('unionScopes merges, de-duplicates, keeps first-seen order and skips undefined', () => {
      assert.deepEqual(unionScopes(['a', 'b'], undefined, ['b', 'c'], [], ['a', 'd']), ['a', 'b', 'c', 'd']);
      assert.deepEqual(unionScopes(), []);
      assert.deepEqual(unionScopes(undefined), []);
    });
  });
});
