/**
 * The OAuth flow as the panel and the Markdown export see it (src/present/flowSteps.ts and
 * reports.ts flowMarkdown; both free of `vscode`, so they run in plain Node): grouping by step,
 * levels, spec sections, verdicts, body caps, counts; and an export where server text stays text.
 */
import { strict as assert } from 'node:assert';
import { Trace, type TraceExchange, type TraceStep } from '../../../src/core/http/trace';
import type { ServerConnection } from '../../../src/vscode/connections';
import { flowMarkdown } from '../../../src/present/reports';
import { exchangeVerdict, flowCounts, flowSteps, PANEL_BODY_CHARS } from '../../../src/present/flowSteps';

function exchange(trace: Trace, step: TraceStep, purpose: TraceExchange['purpose'], status: number, opts: { body?: string; headers?: Record<string, string>; url?: string; ms?: number } = {}): void {
  trace.record({
    kind: 'http',
    id: trace.newId(),
    step,
    purpose,
    startedAt: Date.now(),
    durationMs: opts.ms ?? 5,
    request: { method: purpose === 'token' ? 'POST' : 'GET', url: opts.url ?? `http://127.0.0.1:1/${purpose}`, headers: { accept: 'application/json' } },
    response: { status, headers: { 'content-type': 'application/json', ...opts.headers }, body: opts.body, bytes: opts.body?.length ?? 0 },
  });
}

function demoTrace(): Trace {
  const t = new Trace();
  exchange(t, 'MCP initialize', 'mcp', 401, { headers: { 'www-authenticate': 'Bearer resource_metadata="http://127.0.0.1:1/.well-known/oauth-protected-resource"' } });
  exchange(t, 'protected resource metadata', 'resource-metadata', 404);
  exchange(t, 'protected resource metadata', 'resource-metadata', 200, { body: '{"resource":"http://127.0.0.1:1/mcp"}' });
  t.note('protected resource metadata', 'pass', 'found', 'RFC 9728 §3');
  exchange(t, 'authorization server metadata', 'as-metadata', 200, { body: '{}' });
  t.note('authorization server metadata', 'pass', 'issuer ok', 'RFC 8414 §3');
  t.note('authorization server metadata', 'info', 'no iss support', 'RFC 9207 §3');
  t.note('authorization server metadata', 'pass', 'the authorization server advertises PKCE S256', 'RFC 7636 §4.2');
  exchange(t, 'token exchange', 'token', 200, { body: '{"access_token":"[REDACTED]"}', ms: 30 });
  t.note('token exchange', 'warn', 'granted fewer scopes than requested', 'RFC 6749 §3.3');
  exchange(t, 'token refresh', 'token', 400, { body: '{"error":"invalid_request","error_description":"<script>x</script>"}' });
  exchange(t, 'MCP tools/list', 'mcp', 200);
  return t;
}

describe('present/flowSteps: the OAuth flow as steps', () => {
  it('groups consecutive entries of a step, notes and exchanges together, in trace order', () => {
    const steps = flowSteps(demoTrace().all());
    assert.deepEqual(
      steps.map((s) => [s.step, s.findings.length, s.exchanges.length]),
      [
        ['MCP initialize', 0, 1],
        ['protected resource metadata', 1, 2],
        ['authorization server metadata', 3, 1],
        ['token exchange', 1, 1],
        ['token refresh', 0, 1],
        ['MCP tools/list', 0, 1],
      ],
    );
    const ids = steps.map((s) => s.id);
    assert.deepEqual([...ids].sort((a, b) => a - b), ids, 'ids ascend');
  });

  it('a step is as serious as its worst entry, and info yields to pass', () => {
    const byStep = new Map(flowSteps(demoTrace().all()).map((s) => [s.step, s]));
    assert.equal(byStep.get('MCP initialize')!.level, 'info', 'a 401 with a challenge is where authorization starts, not a problem');
    assert.equal(byStep.get('protected resource metadata')!.level, 'pass', 'the 404 on the way is info');
    assert.equal(byStep.get('authorization server metadata')!.level, 'pass');
    assert.equal(byStep.get('token exchange')!.level, 'warn');
    assert.equal(byStep.get('token exchange')!.finding, 'granted fewer scopes than requested', 'the headline is the worst finding');
    assert.equal(byStep.get('token refresh')!.level, 'fail');
    assert.equal(byStep.get('token exchange')!.durationMs, 30);
  });

  it('spec sections: the notes\' own, else a default per step, else by what the MCP server answered', () => {
    const byStep = new Map(flowSteps(demoTrace().all()).map((s) => [s.step, s]));
    assert.equal(byStep.get('authorization server metadata')!.spec, 'RFC 8414 §3; RFC 9207 §3; RFC 7636 §4.2');
    assert.equal(byStep.get('token refresh')!.spec, 'RFC 6749 §6; RFC 8707 §2');
    assert.match(byStep.get('MCP initialize')!.spec!, /RFC 9728 §5\.1/);
    assert.match(byStep.get('MCP tools/list')!.spec!, /RFC 6750 §2\.1/);
  });

  it('verdicts in plain words: an OAuth error body is quoted, a 401 without a challenge warns', () => {
    const steps = flowSteps(demoTrace().all());
    const refresh = steps.find((s) => s.step === 'token refresh')!.exchanges[0];
    assert.equal(refresh.finding, 'the authorization server refused (HTTP 400): invalid_request: <script>x</script>');
    const t = new Trace();
    exchange(t, 'MCP initialize', 'mcp', 401);
    assert.equal(exchangeVerdict(t.all()[0] as TraceExchange).level, 'warn');
  });

  it('counts the steps by level', () => {
    const c = flowCounts(flowSteps(demoTrace().all()));
    assert.deepEqual(c, { pass: 3, info: 1, warn: 1, fail: 1 });
  });

  it('caps each body, and the total: the newest bodies are kept', () => {
    const t = new Trace();
    const big = 'x'.repeat(PANEL_BODY_CHARS * 3);
    for (let i = 0; i < 10; i++) exchange(t, `MCP step ${i}`, 'mcp', 200, { body: big });
    const steps = flowSteps(t.all(), { budget: PANEL_BODY_CHARS * 4 });
    const bodies = steps.map((s) => s.exchanges[0]);
    assert.equal(bodies[9].responseBody!.length, PANEL_BODY_CHARS);
    assert.equal(bodies[9].responseBodyOmitted, PANEL_BODY_CHARS * 2);
    assert.equal(bodies[6].responseBody!.length, PANEL_BODY_CHARS, 'the 4 newest fit the budget');
    assert.equal(bodies[5].responseBody, '', 'older ones are left out');
    assert.equal(bodies[5].responseBodyOmitted, big.length);
  });

  it('renders a 2000-entry trace quickly', () => {
    const t = new Trace(2000);
    for (let i = 0; i < 2000; i++) exchange(t, i % 2 ? 'MCP tools/call x' : 'MCP tools/list', 'mcp', 200, { body: 'y'.repeat(20_000) });
    const t0 = performance.now();
    const steps = flowSteps(t.all());
    const size = JSON.stringify(steps).length;
    assert.ok(performance.now() - t0 < 1000, 'under a second');
    assert.ok(size < 3_000_000, `the state message stays small (${size} characters)`);
  });
});

describe('present/reports flowMarkdown: the flow as a bug report', () => {
  const conn = (trace: Trace, name = 'demo') => ({ entry: { name, url: 'http://127.0.0.1:1/mcp' }, conn: { trace } }) as unknown as ServerConnection;

  /** The lines outside fenced blocks (what a Markdown renderer would interpret). */
  function outsideFences(md: string): string[] {
    const out: string[] = [];
    let fence: string | undefined;
    for (const line of md.split('\n')) {
      const m = /^(`{3,})/.exec(line);
      if (fence) {
        if (m && m[1].length >= fence.length && line.trim() === m[1]) fence = undefined;
      } else if (m) fence = m[1];
      else out.push(line);
    }
    assert.equal(fence, undefined, 'every fence is closed');
    return out;
  }

  it('has the summary, each step with its spec section, findings and exchanges', () => {
    const md = flowMarkdown(conn(demoTrace()));
    assert.match(md, /\*\*Summary:\*\* 6 steps: 3 pass · 1 warn · 1 fail · 1 info \(12 trace entries\)\./);
    assert.match(md, /## 3\. ✅ authorization server metadata\n\nSpec: RFC 8414 §3; RFC 9207 §3; RFC 7636 §4\.2/);
    assert.match(md, /\[PASS\] the authorization server advertises PKCE S256 {2}\(RFC 7636 §4\.2\)/);
    assert.match(md, /### ❌ POST 400/);
    assert.match(md, /"error_description": "<script>x<\/script>"/, 'JSON bodies pretty-printed');
  });

  it('keeps server text inside fences: markup, backticks and Markdown syntax do not escape', () => {
    const t = new Trace();
    const hostile = '<script>alert(1)</script> ``` [x](javascript:alert(1)) <img src=x onerror=alert(1)>';
    t.note('authorization callback', 'fail', `the server said ${hostile}`);
    exchange(t, `MCP tools/call ${hostile}`, 'mcp', 500, { body: `{"error":"server_error","error_description":"${hostile.replace(/"/g, '')}"}`, url: `http://127.0.0.1:1/mcp?${hostile}` });
    const md = flowMarkdown(conn(t, `evil ${hostile}`));
    const outside = outsideFences(md).join('\n');
    // Outside fences, server text only appears with Markdown/HTML syntax backslash-escaped.
    assert.doesNotMatch(outside, /(?<!\\)[<>]|(?<!\\)\]\(|(?<!\\)`/, outside);
    assert.match(outside, /evil \\<script\\>/, 'the server name is escaped in the heading');
    assert.match(md, /the server said <script>alert\(1\)<\/script>/, 'the text is there, in a fence');
  });

  it('says when nothing was recorded', () => {
    assert.match(flowMarkdown(conn(new Trace())), /Nothing recorded yet/);
  });
});
