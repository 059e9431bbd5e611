/**
 * runAudit's run options against the local OAuth fixture: an AbortSignal stops the audit (no request
 * after the abort, a typed `audit_cancelled` rejection), the request counter leaves the caller's
 * trace when the audit ends, every category's checks run (none reported as missing from the build),
 * and `reuseSignIn` audits a server the caller already signed in to without a second sign-in.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runAudit, type RunAuditOptions } from '../../../src/core/audit/runner';
import { Trace } from '../../../src/core/http/trace';
import { MemorySecretStore } from '../../../src/core/memorySecretStore';
import { auditText } from '../../../src/present/audit';
import { AUDIT_CATEGORIES, type AuditReport } from '../../../src/shared/audit';
import { connectTo, findLeaks, knownSecrets, recordingBrowser, useOAuthFixtures, type Fixture, type FixtureOptions } from '../../fixtures/oauthFixture';

const correct: FixtureOptions = { requiredScopes: ['mcp'], asMetadata: { scopes_supported: ['mcp', 'offline_access'] } };

/** A fetch that counts the requests that reach the network, and those made after `after()` says so. */
function countingFetch(after: () => boolean): typeof fetch & { total: number; late: string[] } {
  const f = Object.assign(
    (input: string | URL | Request, init?: RequestInit) => {
      f.total++;
      if (after()) f.late.push(String(input instanceof Request ? input.url : input));
      return fetch(input, init);
    },
    { total: 0, late: [] as string[] },
  );
  return f;
}

/** A trace that counts its live entry listeners. */
function listenerCountingTrace(): Trace & { live(): number } {
  const trace = new Trace(20_000);
  let live = 0;
  const on = trace.onEntry.bind(trace);
  trace.onEntry = (l) => {
    live++;
    const off = on(l);
    return () => {
      live--;
      return off();
    };
  };
  return Object.assign(trace, { live: () => live });
}

describe('audit runner options', function () {
  this.timeout(60_000);
  const { fixture } = useOAuthFixtures();
  const audit = (fx: Fixture, o: Partial<RunAuditOptions> = {}) => runAudit({ serverUrl: fx.mcpUrl, headless: true, timeoutMs: 5000, ...o });

  describe('signal', () => {
    it('aborted after the first check: rejects with audit_cancelled and sends no request after the abort', async () => {
      const fx = await fixture(correct);
      const ac = new AbortController();
      const f = countingFetch(() => ac.signal.aborted);
      let reported = 0;
      await assert.rejects(
        audit(fx, { fetchImpl: f, signal: ac.signal, onCheck: () => (reported++ === 0 ? ac.abort() : undefined) }),
        (e: Error & { code?: string; hint?: string }) => e.code === 'audit_cancelled' && /cancelled/.test(e.message) && !!e.hint,
      );
      assert.ok(f.total > 0, 'the audit had started');
      assert.deepEqual(f.late, [], 'no request after the abort');
      assert.equal(reported, 1, 'no check reported after the abort');
    });

    it('aborted while the sign-in waits for the browser: the wait ends and the audit rejects with audit_cancelled', async () => {
      const fx = await fixture(correct);
      const ac = new AbortController();
      const browser = recordingBrowser(async () => {
        setTimeout(() => ac.abort(), 20);
      });
      const started = Date.now();
      await assert.rejects(audit(fx, { headless: false, browser, authorizationTimeoutMs: 30_000, signal: ac.signal }), (e: Error & { code?: string }) => e.code === 'audit_cancelled');
      assert.equal(browser.opened.length, 1);
      assert.ok(Date.now() - started < 10_000, 'did not wait for the authorization timeout');
    });

    it('already aborted: rejects before any request', async () => {
      const fx = await fixture(correct);
      const f = countingFetch(() => true);
      await assert.rejects(audit(fx, { fetchImpl: f, signal: AbortSignal.abort() }), (e: Error & { code?: string }) => e.code === 'audit_cancelled');
      assert.equal(f.total, 0);
    });
  });

  describe("the caller's trace", () => {
    it('the request counter is unsubscribed when the audit ends, finished or failed', async () => {
      const fx = await fixture(correct);
      const trace = listenerCountingTrace();
      const r = await audit(fx, { trace, only: ['discovery'] });
      assert.ok(r.requests > 0);
      assert.equal(trace.live(), 0, 'no listener left after a finished audit');
      const down = listenerCountingTrace();
      await assert.rejects(runAudit({ serverUrl: 'http://127.0.0.1:1/mcp', headless: true, timeoutMs: 2000, trace: down }));
      assert.equal(down.live(), 0, 'no listener left after an audit that could not run');
      const ac = new AbortController();
      const cancelledTrace = listenerCountingTrace();
      await assert.rejects(audit(fx, { trace: cancelledTrace, signal: ac.signal, onCheck: () => ac.abort() }));
      assert.equal(cancelledTrace.live(), 0, 'no listener left after a cancelled audit');
    });
  });

  describe('phases', () => {
    it('a full run reports every category, and no check as missing from the build or not run', async () => {
      const fx = await fixture(correct);
      const r = await audit(fx);
      for (const category of AUDIT_CATEGORIES) assert.ok(r.checks.some((c) => c.category === category), `${category} reported`);
      // the two categories that were once loaded lazily (and then missing from the bundle) ran
      assert.ok(r.checks.some((c) => c.category === 'resource-server' && c.level === 'pass'), auditText(r));
      assert.ok(r.checks.filter((c) => c.category === 'tool-security').every((c) => !/this build/.test(c.finding)), auditText(r));
      assert.ok(!r.checks.some((c) => /does not run this check|did not run/.test(c.finding)), auditText(r));
    });

    it('the engine loads no check module lazily (a dynamic import from the ESM bundle yields only `default`, and the phase silently went missing)', () => {
      const dir = fileURLToPath(new URL('../../../src/core/audit/', import.meta.url));
      const files = [...readdirSync(dir).map((f) => dir + f), ...readdirSync(dir + 'checks').map((f) => `${dir}checks/${f}`)].filter((f) => f.endsWith('.ts'));
      assert.ok(files.length > 8);
      for (const f of files) assert.doesNotMatch(readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ''), /\bimport\s*\(/, f);
    });
  });

  describe('reuseSignIn', () => {
    /** Signs in the way a front end's connection does (the browser, once), in `secrets`. */
    async function signedIn(fx: Fixture, secrets: MemorySecretStore): Promise<number> {
      const conn = connectTo(fx, { secrets });
      try {
        await conn.session.connect();
        await conn.session.listToolsPaged();
        assert.equal(conn.browser.opened.length, 1, 'the connection signed in once');
      } finally {
        await conn.close();
      }
      return fx.counters.authorize;
    }

    const signIn = (r: AuditReport) => r.checks.find((c) => c.id === 'authorization-server.sign-in')!;

    it('a server the caller is signed in to is audited without a second sign-in', async () => {
      const fx = await fixture(correct);
      const secrets = new MemorySecretStore();
      await signedIn(fx, secrets);
      const browser = recordingBrowser('ignore');
      const r = await audit(fx, { secrets, headless: false, browser, authorizationTimeoutMs: 3000, reuseSignIn: true, only: ['authorization-server', 'token', 'transport', 'clients'] });
      assert.equal(browser.opened.length, 0, 'no browser sign-in');
      assert.equal(signIn(r).level, 'pass');
      assert.match(signIn(r).finding, /^Reused the sign-in/);
      assert.deepEqual(r.checks.filter((c) => c.level === 'fail').map((c) => c.id), [], auditText(r));
      assert.equal(r.checks.find((c) => c.id === 'transport.protocol-version')?.level, 'pass', auditText(r));
      assert.match(r.checks.find((c) => c.id === 'authorization-server.iss-parameter')!.finding, /reused the sign-in/);
      assert.deepEqual(findLeaks(JSON.stringify(r), knownSecrets()), []);
    });

    it('without reuseSignIn the audit signs in on its own; with it but nothing stored, it signs in once', async () => {
      const fx = await fixture(correct);
      const secrets = new MemorySecretStore();
      await signedIn(fx, secrets);
      const own = recordingBrowser('approve');
      const r1 = await audit(fx, { secrets, headless: false, browser: own, only: ['authorization-server', 'token'] });
      assert.equal(own.opened.length, 1, 'its own sign-in');
      assert.doesNotMatch(signIn(r1).finding, /Reused/);
      const fresh = recordingBrowser('approve');
      const r2 = await audit(fx, { secrets: new MemorySecretStore(), headless: false, browser: fresh, reuseSignIn: true, only: ['authorization-server', 'token'] });
      assert.equal(fresh.opened.length, 1, 'one sign-in when none is stored');
      assert.equal(signIn(r2).level, 'pass');
      assert.doesNotMatch(signIn(r2).finding, /Reused/);
    });

    it('a stored token with fewer scopes than the audit asks for is still reused, and the finding says what it lacks', async () => {
      const fx = await fixture({ ...correct, prm: { scopes_supported: ['mcp', 'notes.read'] }, asMetadata: { scopes_supported: ['mcp', 'notes.read', 'offline_access'] } });
      const secrets = new MemorySecretStore();
      const conn = connectTo(fx, { secrets });
      try {
        await conn.auth.ensureDiscovery();
        const t = await conn.auth.authorize('mcp');
        assert.equal(t.scope, 'mcp');
      } finally {
        await conn.close();
      }
      const browser = recordingBrowser('ignore');
      const r = await audit(fx, { secrets, headless: false, browser, authorizationTimeoutMs: 3000, reuseSignIn: true, only: ['authorization-server', 'token'] });
      assert.equal(browser.opened.length, 0, 'no browser sign-in');
      assert.match(signIn(r).finding, /^Reused the sign-in.*It lacks notes\.read/);
    });

    it('a stored token for another resource is not reused', async () => {
      const fx = await fixture(correct);
      const other = await fixture(correct);
      const secrets = new MemorySecretStore();
      await signedIn(other, secrets);
      const browser = recordingBrowser('approve');
      const r = await audit(fx, { secrets, headless: false, browser, reuseSignIn: true, only: ['authorization-server', 'token'] });
      assert.equal(browser.opened.length, 1);
      assert.doesNotMatch(signIn(r).finding, /Reused/);
    });
  });
});
