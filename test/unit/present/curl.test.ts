import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asCurl, asFetch, requestOfExchange, requestOfMessage, shellQuote, type CopyableRequest } from '../../../src/present/curl';
import type { MessageEntry } from '../../../src/shared/messages';
import type { FlowExchange } from '../../../src/shared/protocol';

/**
 * Runs a copied curl command in sh with `curl` defined as a function printing its arguments
 * NUL-separated: what curl would have received, and whether anything else ran.
 */
function runCurl(command: string, dir: string, token = 'the-token-from-env'): string[] {
  const script = `curl() { printf '%s\\0' "$@"; }\ncd ${shellQuote(dir)}\n${command}`;
  const out = execFileSync('sh', ['-c', script], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', MCP_TOKEN: token }, encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

const HOSTILE = `it's "quoted" $(touch pwned-dollar) \`touch pwned-tick\` $MCP_TOKEN \${HOME} !x\nsecond line; touch pwned-semi && touch pwned-and | touch pwned-pipe '; touch pwned-quote; '`;

function entry(over: Partial<MessageEntry> = {}): MessageEntry {
  return {
    seq: 3,
    at: 0,
    direction: 'out',
    kind: 'request',
    method: 'tools/call',
    id: 2,
    payload: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text: HOSTILE } } }),
    http: {
      method: 'POST',
      url: 'http://127.0.0.1:1234/mcp',
      status: 200,
      exchange: 9,
      requestHeaders: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': 'abc-123',
        'mcp-protocol-version': '2025-06-18',
        authorization: 'Bearer …(redacted, token #1)',
      },
    },
    ...over,
  };
}

describe('present/curl: Copy as curl / as fetch', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mcpi-curl-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a logged request as curl: the exact method, URL, headers and body reach curl, the token from $MCP_TOKEN, nothing else runs', () => {
    const e = entry();
    const cmd = asCurl(requestOfMessage(e)!);
    assert.ok(!cmd.includes('redacted, token'), 'the label is not sent as a token');
    assert.match(cmd, /"Authorization: Bearer \$MCP_TOKEN"/);
    const args = runCurl(cmd, dir);
    assert.deepEqual(args.slice(0, 5), ['-sS', '-N', '-X', 'POST', 'http://127.0.0.1:1234/mcp']);
    const headers = args.filter((_, i) => args[i - 1] === '-H');
    assert.deepEqual(headers, [
      'content-type: application/json',
      'accept: application/json, text/event-stream',
      'mcp-session-id: abc-123',
      'mcp-protocol-version: 2025-06-18',
      'Authorization: Bearer the-token-from-env',
    ]);
    assert.equal(args[args.indexOf('--data-raw') + 1], e.payload, 'the body byte for byte');
    for (const f of ['pwned-dollar', 'pwned-tick', 'pwned-semi', 'pwned-and', 'pwned-pipe', 'pwned-quote']) assert.equal(existsSync(join(dir, f)), false, f);
  });

  it('hostile header values and URL (quotes, newlines, $(…), backquotes) stay inert; control characters are cut from headers; bad names are left out', () => {
    const r: CopyableRequest = {
      method: 'POST',
      url: `http://127.0.0.1/mcp?q='$(touch pwned-url)'`,
      headers: { 'mcp-name': HOSTILE, 'x-bad name': 'v', 'content-type': 'application/json' },
      body: HOSTILE,
      title: 'MCP tools/call\n$(touch pwned-title)',
    };
    const cmd = asCurl(r);
    const args = runCurl(cmd, dir);
    assert.equal(args[4], r.url);
    const mcpName = args.find((a) => a.startsWith('mcp-name: '))!;
    assert.equal(mcpName, `mcp-name: ${HOSTILE.replace(/\n/g, ' ')}`);
    assert.ok(!args.some((a) => a.startsWith('x-bad')));
    assert.match(cmd, /1 header with an invalid name left out/);
    assert.equal(args[args.indexOf('--data-raw') + 1], HOSTILE);
    for (const f of ['pwned-dollar', 'pwned-tick', 'pwned-semi', 'pwned-and', 'pwned-pipe', 'pwned-quote', 'pwned-url', 'pwned-title']) assert.equal(existsSync(join(dir, f)), false, f);
  });

  it('a DPoP-bound request reads the proof from $MCP_DPOP_PROOF and says a fresh one is needed', () => {
    const cmd = asCurl({ method: 'POST', url: 'https://x.test/mcp', headers: { authorization: 'DPoP …(redacted, token #2)', dpop: '…(DPoP proof, redacted)' }, body: '{}' });
    assert.match(cmd, /-H "Authorization: DPoP \$MCP_TOKEN"/);
    assert.match(cmd, /-H "DPoP: \$MCP_DPOP_PROOF"/);
    assert.match(cmd, /RFC 9449/);
  });

  it('says when the record cut the body or redacted a value; a flow exchange copies the same way', () => {
    const cut = asCurl(requestOfMessage(entry({ payload: '{"a":', truncatedFrom: 100 }))!);
    assert.match(cut, /INCOMPLETE: the record cut the body \(95 characters missing\)/);
    const x: FlowExchange = {
      id: 4,
      at: 0,
      durationMs: 1,
      purpose: 'token',
      method: 'POST',
      url: 'https://as.test/token',
      requestHeaders: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic [REDACTED]' },
      requestBody: 'grant_type=authorization_code&code=[REDACTED]',
      level: 'pass',
      finding: 'ok',
    };
    const cmd = asCurl(requestOfExchange(x));
    assert.match(cmd, /-H "Authorization: Basic \$MCP_TOKEN"/);
    assert.match(cmd, /\[REDACTED\] were secrets/);
    const args = runCurl(cmd, dir);
    assert.equal(args[args.indexOf('--data-raw') + 1], x.requestBody);
  });

  it('incoming messages and stdio messages have no request to copy', () => {
    assert.equal(requestOfMessage(entry({ direction: 'in', kind: 'result' })), undefined);
    assert.equal(requestOfMessage(entry({ http: undefined })), undefined);
  });

  it('as fetch: a snippet that parses, with every value a string literal and the token from process.env', async () => {
    const e = entry();
    const snippet = asFetch(requestOfMessage(e)!);
    assert.match(snippet, /Authorization: "Bearer " \+ process\.env\.MCP_TOKEN,/);
    assert.ok(!snippet.includes('redacted, token'));
    // Run it with a fetch that records what it was given (an async function body, so `await` parses).
    const seen: Array<{ url: string; init: { method: string; headers: Record<string, string>; body: string } }> = [];
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...a: string[]) => (...v: unknown[]) => Promise<void>;
    const run = new AsyncFunction('fetch', 'process', 'console', snippet);
    await run(async (url: string, init: never) => (seen.push({ url, init }), { status: 200, text: async () => '' }), { env: { MCP_TOKEN: 'tkn' } }, { log: () => {} });
    assert.equal(seen[0].url, 'http://127.0.0.1:1234/mcp');
    assert.equal(seen[0].init.method, 'POST');
    assert.equal(seen[0].init.headers.Authorization, 'Bearer tkn');
    assert.equal(seen[0].init.headers['mcp-session-id'], 'abc-123');
    assert.equal(seen[0].init.body, e.payload);
  });
});
