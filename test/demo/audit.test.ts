/**
 * The audit against the real demo (oidc-provider, JWT access tokens bound with DPoP, the SDK v2 MCP
 * server on both eras), headless as `mcp-oauth-inspector audit --headless` runs it: `/mcp` and
 * `/mcp-mixed` report no `fail` and every check of the catalog; the legacy era works too; and no
 * token the audit used — the real ones, the refreshed ones, and every derived probe token (tampered,
 * re-signed, alg none, for another resource) — appears in the trace, the report or any rendering.
 *
 * Run: npx mocha --config test/demo/.mocharc.json test/demo/audit.test.ts
 */
import assert from 'node:assert/strict';
import { startDemo, type DemoHandle } from '../../demo/index';
import { runAudit } from '../../src/core/audit/runner';
import { Trace } from '../../src/core/http/trace';
import { auditJson, auditJunit, auditMarkdown, auditText } from '../../src/present/audit';
import { AUDIT_CHECKS, type AuditCheckId } from '../../src/shared/audit';

/** Every credential that went on the wire or came back from the token endpoint, recorded by a fetch wrapper. */
function recordingFetch(): { fetchImpl: typeof fetch; secrets: Set<string> } {
  const secrets = new Set<string>();
  const fetchImpl: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    const q = url.searchParams.get('access_token');
    if (q) secrets.add(q);
    const auth = new Headers(init?.headers).get('authorization');
    const m = auth && /^(?:Bearer|DPoP)\s+(\S+)$/i.exec(auth);
    if (m) secrets.add(m[1]);
    const dpop = new Headers(init?.headers).get('dpop');
    if (dpop) secrets.add(dpop);
    const res = await fetch(input, init);
    if (/\/token$/.test(url.pathname) && res.ok) {
      const body = (await res.clone().json().catch(() => ({}))) as Record<string, unknown>;
      for (const k of ['access_token', 'refresh_token', 'id_token']) if (typeof body[k] === 'string') secrets.add(body[k] as string);
    }
    return res;
  };
  return { fetchImpl, secrets };
}

describe('audit of the demo (headless)', function () {
  this.timeout(120_000);
  let demo: DemoHandle;
  before(async () => {
    demo = await startDemo({ port: 0, asPort: 0, autoApprove: true });
  });
  after(async () => demo?.close());

  for (const path of ['mcp', 'mixed'] as const) {
    it(`/${path === 'mcp' ? 'mcp' : 'mcp-mixed'}: no fail, every catalog check reported, no token in the trace or the report`, async () => {
      const url = path === 'mcp' ? demo.mcpUrl : demo.mixedUrl;
      const { fetchImpl, secrets } = recordingFetch();
      const trace = new Trace(20_000);
      const r = await runAudit({ serverUrl: url, headless: true, trace, fetchImpl });
      assert.deepEqual(r.checks.filter((c) => c.level === 'fail').map((c) => `${c.id}${c.subject ? ` (${c.subject})` : ''}: ${c.finding}`), [], auditText(r));
      for (const id of Object.keys(AUDIT_CHECKS) as AuditCheckId[]) assert.ok(r.checks.some((c) => c.id === id), `${id} reported`);
      assert.equal(r.protocolVersion, '2026-07-28');
      assert.ok(r.checks.find((c) => c.id === 'authorization-server.sign-in')?.level === 'pass');
      // The probes used real and derived tokens: none is anywhere in what the audit produced.
      assert.ok(secrets.size >= 5, `${secrets.size} credentials recorded`);
      const outputs = [JSON.stringify(trace.all()), JSON.stringify(r), auditJson(r), auditText(r, { verbose: true }), auditMarkdown(r), auditJunit(r)].join('\n');
      const leaked = [...secrets].filter((s) => s.length >= 8 && outputs.includes(s));
      assert.deepEqual(leaked.map((s) => `${s.slice(0, 12)}…`), []);
      // Every exchange a finding links to is in the trace.
      const ids = new Set(trace.all().map((e) => e.id));
      for (const c of r.checks) for (const x of c.exchanges) assert.ok(ids.has(x), `${c.id} links exchange ${x}`);
    });
  }

  it('the legacy era (a server of SDK 1.x): no fail; the session and the older versions are checked', async () => {
    const legacy = await startDemo({ port: 0, asPort: 0, autoApprove: true, eras: 'legacy' });
    try {
      const r = await runAudit({ serverUrl: legacy.mcpUrl, headless: true });
      assert.deepEqual(r.checks.filter((c) => c.level === 'fail').map((c) => `${c.id}: ${c.finding}`), [], auditText(r));
      assert.match(r.protocolVersion ?? '', /^2025-/);
      assert.equal(r.checks.find((c) => c.id === 'transport.session-behaviour')?.level, 'pass');
    } finally {
      await legacy.close();
    }
  });
});
