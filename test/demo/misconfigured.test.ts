/**
 * The demo's deliberately misconfigured path, `/mcp-misconfigured`: every planted defect
 * (demo/defects.ts) is really there, proved with plain HTTP — fetch, hand-made tokens, no audit
 * engine — and `/mcp` and `/mcp-mixed` do not have it. `startDemo({ misconfigured: [d] })` plants
 * exactly `d` and nothing else, which is what the audit's fixture tests rely on.
 *
 * Then the audit itself (runAudit, headless, as `mcp-oauth-inspector audit --headless` runs it):
 * on `/mcp-misconfigured` it reports `fail` exactly at the check of each planted defect
 * (DEFECT_CHECKS) and nowhere else, each defect planted alone too. (`/mcp` and `/mcp-mixed` report
 * no `fail`: test/demo/audit.test.ts.)
 *
 * Run: npx mocha test/demo/misconfigured.test.ts
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { DEFAULT_DEMO_DEFECTS, DEFECT_CHECKS, DEMO_DEFECTS, NOAUTH_REFUSED_TOOL, startDemo, type DemoDefect, type DemoHandle } from '../../demo/index';
import { runAudit } from '../../src/core/audit/runner';
import { AUDIT_CHECKS, auditExitCode, type AuditReport } from '../../src/shared/audit';

// ---------------------------------------------------------------------------------------------
// Plain-HTTP helpers: sign-in with the pre-registered client (auto-approve), raw MCP requests

/** Never contacted: the redirect chain is followed by hand up to this URL (RFC 8252 §7.3 loopback, any port). */
const REDIRECT_URI = 'http://127.0.0.1:49152/callback';
const LEGACY_VERSION = '2025-06-18';

interface DpopKey {
  readonly privateKey: CryptoKey;
  readonly jwk: Record<string, unknown>;
}

async function dpopKey(): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { privateKey, jwk: { ...(await exportJWK(publicKey)) } };
}

/** An RFC 9449 §4.2 proof for one request. */
function dpopProof(key: DpopKey, method: string, url: string, accessToken?: string): Promise<string> {
  return new SignJWT({
    jti: randomUUID(),
    htm: method,
    htu: url,
    ...(accessToken ? { ath: createHash('sha256').update(accessToken).digest('base64url') } : {}),
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk })
    .setIssuedAt()
    .sign(key.privateKey);
}

/**
 * An access token for `resource` with `scope`: the pre-registered public client `todo-local`, PKCE,
 * the auto-approved authorization request followed by hand to the loopback redirect, then the code
 * exchange (bound to `dpop` when given).
 */
async function accessToken(demo: DemoHandle, resource: string, scope: string, dpop?: DpopKey): Promise<string> {
  const { callback, verifier } = await authorize(demo, resource, scope);
  const code = callback.searchParams.get('code');
  assert.ok(code, `no code in ${callback.search}`);

  const tokenUrl = `${demo.issuer}/token`;
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(dpop ? { dpop: await dpopProof(dpop, 'POST', tokenUrl) } : {}),
    },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, client_id: demo.preRegisteredClientId, code_verifier: verifier, resource }),
  });
  const body = (await response.json()) as { access_token?: string; token_type?: string; error?: string };
  assert.equal(response.status, 200, `token request → ${response.status} ${body.error ?? ''}`);
  assert.equal(body.token_type, dpop ? 'DPoP' : 'Bearer');
  return body.access_token!;
}

/** The authorization request, auto-approved, followed by hand to the loopback redirect; the callback URL. */
async function authorize(demo: DemoHandle, resource: string, scope: string): Promise<{ callback: URL; verifier: string }> {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(8).toString('hex');
  const authorize = new URL(`${demo.issuer}/auth`);
  authorize.search = new URLSearchParams({
    client_id: demo.preRegisteredClientId,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope,
    resource,
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  let location = authorize.href;
  for (let hops = 0; !location.startsWith(REDIRECT_URI); hops++) {
    assert.ok(hops < 10, 'too many redirects before the callback');
    const response = await fetch(location, { redirect: 'manual' });
    const next = response.headers.get('location');
    assert.ok(next, `the authorization request stopped at ${location} with HTTP ${response.status}`);
    location = new URL(next, location).href;
  }
  const callback = new URL(location);
  assert.equal(callback.searchParams.get('state'), state);
  return { callback, verifier };
}

/** How a request presents its token. */
type Credentials =
  | { kind: 'none' }
  | { kind: 'bearer'; token: string }
  | { kind: 'dpop'; token: string; key: DpopKey }
  | { kind: 'query'; token: string };

const NONE: Credentials = { kind: 'none' };

interface Answer {
  status: number;
  headers: Headers;
  /** The JSON-RPC message (JSON or the last SSE data line), or the JSON error body. */
  body: any;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  if ((response.headers.get('content-type') ?? '').includes('text/event-stream')) {
    const data = text
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trim())
      .filter(Boolean);
    return data.length ? JSON.parse(data[data.length - 1]) : undefined;
  }
  return JSON.parse(text);
}

async function post(url: string, message: unknown, credentials: Credentials, sessionId?: string): Promise<Answer> {
  const target = new URL(url);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': LEGACY_VERSION,
  };
  if (sessionId) headers['mcp-session-id'] = sessionId;
  if (credentials.kind === 'bearer') headers.authorization = `Bearer ${credentials.token}`;
  if (credentials.kind === 'dpop') {
    headers.authorization = `DPoP ${credentials.token}`;
    headers.dpop = await dpopProof(credentials.key, 'POST', url, credentials.token);
  }
  if (credentials.kind === 'query') target.searchParams.set('access_token', credentials.token);
  const response = await fetch(target, { method: 'POST', headers, body: JSON.stringify(message), redirect: 'manual' });
  return { status: response.status, headers: response.headers, body: await readBody(response) };
}

/**
 * One tool call with exactly `credentials` on every request: initialize (a 2025 session) and then
 * tools/call. A refused initialize is the answer (as on `/mcp` without a valid token).
 */
async function callTool(url: string, name: string, args: Record<string, unknown>, credentials: Credentials): Promise<Answer> {
  const init = await post(
    url,
    { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: LEGACY_VERSION, capabilities: {}, clientInfo: { name: 'misconfigured-test', version: '0' } } },
    credentials,
  );
  if (init.status !== 200) return init;
  const sessionId = init.headers.get('mcp-session-id') ?? undefined;
  assert.ok(sessionId, 'initialize returns Mcp-Session-Id');
  const ack = await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, credentials, sessionId);
  assert.equal(ack.status, 202);
  return post(url, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name, arguments: args } }, credentials, sessionId);
}

function succeeded(answer: Answer): boolean {
  return answer.status === 200 && answer.body?.result !== undefined && answer.body.result.isError !== true;
}

function prmUrl(resource: string): string {
  const url = new URL(resource);
  return `${url.origin}/.well-known/oauth-protected-resource${url.pathname}`;
}

/** The real token's claims, signed by a key the issuer never published: named only by `kid`, or embedded as `jwk`. */
async function forged(realToken: string, how: 'kid' | 'jwk'): Promise<string> {
  const claims = decodeJwt(realToken) as JWTPayload;
  if (how === 'kid') {
    const { privateKey } = await generateKeyPair('RS256');
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'never-published' }).sign(privateKey);
  }
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', jwk: await exportJWK(publicKey) }).sign(privateKey);
}

/** The tokens the probes need for one endpoint. */
interface Tokens {
  /** For this endpoint, todos.read + todos.write. */
  full: string;
  /** For this endpoint, todos.read only. */
  readOnly: string;
  /** For another resource of the same authorization server. */
  other: string;
}

async function tokensFor(demo: DemoHandle, url: string): Promise<Tokens> {
  const other = url === demo.mcpUrl ? demo.mixedUrl : demo.mcpUrl;
  const [full, readOnly, otherToken] = await Promise.all([
    accessToken(demo, url, 'todos.read todos.write'),
    accessToken(demo, url, 'todos.read'),
    accessToken(demo, other, 'todos.read todos.write'),
  ]);
  return { full, readOnly, other: otherToken };
}

/**
 * Which defects the endpoint at `url` shows, each seen with the request the audit check makes.
 * `noauth-tool-refuses` is not probed on `/mcp`: there the whole server is behind OAuth, so no
 * tool is reachable without a token.
 */
async function observedDefects(demo: DemoHandle, url: string, tokens: Tokens): Promise<Set<DemoDefect>> {
  const seen = new Set<DemoDefect>();
  const anonymous = await callTool(url, 'list_todos', {}, NONE);
  assert.equal(anonymous.status, 401, `${url}: anonymous list_todos → ${anonymous.status}`);
  if (!/resource_metadata="/.test(anonymous.headers.get('www-authenticate') ?? '')) seen.add('challenge-without-resource-metadata');

  const metadata = await fetch(prmUrl(url), { redirect: 'manual' });
  assert.equal(metadata.status, 200);
  assert.equal(((await metadata.json()) as { resource?: string }).resource, url, 'the metadata names this endpoint, path included');
  if (!/^application\/json\b/.test(metadata.headers.get('content-type') ?? '')) seen.add('metadata-as-text-plain');

  if (succeeded(await callTool(url, 'list_todos', {}, { kind: 'bearer', token: await forged(tokens.full, 'jwk') }))) seen.add('trusts-embedded-jwk');
  if (succeeded(await callTool(url, 'list_todos', {}, { kind: 'bearer', token: tokens.other }))) seen.add('accepts-other-resource');
  if (succeeded(await callTool(url, 'list_todos', {}, { kind: 'query', token: tokens.full }))) seen.add('accepts-query-token');

  const stepUp = await callTool(url, 'add_todo', { title: 'never added' }, { kind: 'bearer', token: tokens.readOnly });
  assert.equal(stepUp.status, 403, `${url}: add_todo with todos.read only → ${stepUp.status}`);
  if (!/scope="/.test(stepUp.headers.get('www-authenticate') ?? '')) seen.add('insufficient-scope-without-scope');

  if (url !== demo.mcpUrl && !succeeded(await callTool(url, NOAUTH_REFUSED_TOOL, { query: 'pkce' }, NONE))) seen.add('noauth-tool-refuses');
  return seen;
}

function sorted(defects: Iterable<DemoDefect>): DemoDefect[] {
  return [...defects].sort();
}

// ---------------------------------------------------------------------------------------------

describe('demo: /mcp-misconfigured, the planted defects', function () {
  this.timeout(30_000);

  let demo: DemoHandle;
  let tokens: Tokens;

  before(async () => {
    demo = await startDemo({ port: 0, asPort: 0, autoApprove: true });
    tokens = await tokensFor(demo, demo.misconfiguredUrl);
  });

  after(async () => {
    await demo?.close();
  });

  it('serves a third path on the same MCP port and authorization server, for which the AS issues tokens (RFC 8707)', async () => {
    assert.equal(demo.misconfiguredUrl, `http://localhost:${demo.mcpPort}/mcp-misconfigured`);
    assert.deepEqual(demo.misconfiguredDefects, DEFAULT_DEMO_DEFECTS);
    const claims = decodeJwt(tokens.full);
    assert.equal(claims.aud, demo.misconfiguredUrl, 'aud is the misconfigured endpoint');
    assert.equal(claims.iss, demo.issuer);
    const metadata = JSON.parse(await (await fetch(prmUrl(demo.misconfiguredUrl))).text());
    assert.deepEqual(metadata.authorization_servers, [demo.issuer]);
    // Sign-in works end to end: the defects leave room for everything the audit proves with a token.
    assert.ok(succeeded(await callTool(demo.misconfiguredUrl, 'list_todos', {}, { kind: 'bearer', token: tokens.full })));
  });

  it('plants at least five defects by default, each mapped to a check id of the audit catalog', () => {
    assert.ok(DEFAULT_DEMO_DEFECTS.length >= 5);
    assert.deepEqual(sorted(DEFAULT_DEMO_DEFECTS), sorted(DEMO_DEFECTS));
    const ids = DEMO_DEFECTS.map((d) => DEFECT_CHECKS[d].id);
    for (const id of ids) assert.ok(id in AUDIT_CHECKS, id);
    assert.equal(new Set(ids).size, ids.length, 'one check per defect');
  });

  it('challenge-without-resource-metadata: the 401 challenges name no resource_metadata; the metadata is still at the well-known URL', async () => {
    const anonymous = await callTool(demo.misconfiguredUrl, 'list_todos', {}, NONE);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('www-authenticate'), 'Bearer scope="todos.read"');
    const invalid = await callTool(demo.misconfiguredUrl, 'list_todos', {}, { kind: 'bearer', token: 'not-a-jwt' });
    assert.equal(invalid.status, 401);
    assert.match(invalid.headers.get('www-authenticate')!, /^Bearer error="invalid_token"/);
    assert.doesNotMatch(invalid.headers.get('www-authenticate')!, /resource_metadata/);
    assert.equal((await fetch(prmUrl(demo.misconfiguredUrl))).status, 200, 'a client that falls back to the well-known URL finds it');
    // Only the 401s: the step-up 403 and the tool-level challenge still name it.
    const stepUp = await callTool(demo.misconfiguredUrl, 'add_todo', { title: 'x' }, { kind: 'bearer', token: tokens.readOnly });
    assert.match(stepUp.headers.get('www-authenticate')!, new RegExp(`resource_metadata="${prmUrl(demo.misconfiguredUrl)}"`));
    const secret = await callTool(demo.misconfiguredUrl, 'get_secret_note', {}, NONE);
    assert.match(secret.body.result._meta['mcp/www_authenticate'][0], new RegExp(`resource_metadata="${prmUrl(demo.misconfiguredUrl)}"`));

    for (const url of [demo.mcpUrl, demo.mixedUrl]) {
      const answer = await callTool(url, 'list_todos', {}, NONE);
      assert.equal(answer.status, 401);
      assert.equal(answer.headers.get('www-authenticate'), `Bearer resource_metadata="${prmUrl(url)}", scope="todos.read"`, url);
    }
  });

  it('metadata-as-text-plain: the protected resource metadata is right but served as text/plain', async () => {
    const response = await fetch(prmUrl(demo.misconfiguredUrl), { redirect: 'manual' });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/plain; charset=utf-8');
    const metadata = JSON.parse(await response.text());
    assert.equal(metadata.resource, demo.misconfiguredUrl, 'resource: the URL, path included');
    assert.deepEqual(metadata.scopes_supported, ['todos.read', 'todos.write']);
    for (const url of [demo.mcpUrl, demo.mixedUrl]) {
      assert.equal((await fetch(prmUrl(url))).headers.get('content-type'), 'application/json', url);
    }
  });

  it('trusts-embedded-jwk: a token signed by the key it carries in its jwk header is accepted; one naming an unknown kid is not', async () => {
    const minted = await forged(tokens.full, 'jwk');
    const accepted = await callTool(demo.misconfiguredUrl, 'whoami', {}, { kind: 'bearer', token: minted });
    assert.ok(succeeded(accepted), JSON.stringify(accepted.body));
    assert.equal(JSON.parse(accepted.body.result.content[0].text).signedIn, true, 'the forged token signs anyone in');
    const byKid = await callTool(demo.misconfiguredUrl, 'list_todos', {}, { kind: 'bearer', token: await forged(tokens.full, 'kid') });
    assert.equal(byKid.status, 401, 'an unknown kid alone is still refused');

    const mcpTokens = await tokensFor(demo, demo.mcpUrl);
    const refused = await callTool(demo.mcpUrl, 'list_todos', {}, { kind: 'bearer', token: await forged(mcpTokens.full, 'jwk') });
    assert.equal(refused.status, 401);
    assert.match(refused.headers.get('www-authenticate')!, /error="invalid_token"/);
  });

  it('accepts-other-resource: a token the same AS issued for /mcp, or for another path of the origin, is accepted; /mcp-mixed refuses it', async () => {
    assert.equal(decodeJwt(tokens.other).aud, demo.mcpUrl);
    assert.ok(succeeded(await callTool(demo.misconfiguredUrl, 'list_todos', {}, { kind: 'bearer', token: tokens.other })));
    // The AS issues for any path on the MCP origin, aud bound to exactly it (what an audit asks for).
    const elsewhere = `http://localhost:${demo.mcpPort}/mcp-misconfigured-audit-other-resource`;
    const sibling = await accessToken(demo, elsewhere, 'todos.read');
    assert.equal(decodeJwt(sibling).aud, elsewhere);
    assert.ok(succeeded(await callTool(demo.misconfiguredUrl, 'list_todos', {}, { kind: 'bearer', token: sibling })));
    assert.equal((await callTool(demo.mixedUrl, 'list_todos', {}, { kind: 'bearer', token: sibling })).status, 401);
    // …and for nothing off that origin.
    for (const foreign of ['https://elsewhere.example/mcp', `http://localhost:${demo.asPort}/mcp`]) {
      const { callback } = await authorize(demo, foreign, 'todos.read');
      assert.equal(callback.searchParams.get('error'), 'invalid_target', foreign);
    }
    const refused = await callTool(demo.mixedUrl, 'list_todos', {}, { kind: 'bearer', token: tokens.other });
    assert.equal(refused.status, 401);
    assert.match(refused.headers.get('www-authenticate')!, /error="invalid_token", error_description="The access token was issued for a different resource \(aud\)"/);
    const mcpRefuses = await callTool(demo.mcpUrl, 'list_todos', {}, { kind: 'bearer', token: tokens.full });
    assert.equal(mcpRefuses.status, 401, '/mcp refuses a token for /mcp-misconfigured');
  });

  it('accepts-query-token: ?access_token= is accepted, a DPoP-bound token too (no binding check there); /mcp refuses it', async () => {
    assert.ok(succeeded(await callTool(demo.misconfiguredUrl, 'list_todos', {}, { kind: 'query', token: tokens.full })));

    const key = await dpopKey();
    const bound = await accessToken(demo, demo.misconfiguredUrl, 'todos.read', key);
    assert.ok((decodeJwt(bound).cnf as { jkt?: string } | undefined)?.jkt, 'DPoP-bound (cnf.jkt)');
    assert.ok(succeeded(await callTool(demo.misconfiguredUrl, 'list_todos', {}, { kind: 'dpop', token: bound, key })), 'the bound token works as it should');
    assert.equal((await callTool(demo.misconfiguredUrl, 'list_todos', {}, { kind: 'bearer', token: bound })).status, 401, 'in the header, the binding is enforced');
    assert.ok(succeeded(await callTool(demo.misconfiguredUrl, 'list_todos', {}, { kind: 'query', token: bound })), 'in the query, it is not');

    const mcpTokens = await tokensFor(demo, demo.mcpUrl);
    const refused = await callTool(demo.mcpUrl, 'list_todos', {}, { kind: 'query', token: mcpTokens.full });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('www-authenticate'), `Bearer resource_metadata="${prmUrl(demo.mcpUrl)}", scope="todos.read"`, 'as if no token was sent');
  });

  it('insufficient-scope-without-scope: the 403 says insufficient_scope but not which scope; /mcp-mixed names it', async () => {
    const answer = await callTool(demo.misconfiguredUrl, 'add_todo', { title: 'x' }, { kind: 'bearer', token: tokens.readOnly });
    assert.equal(answer.status, 403);
    assert.equal(
      answer.headers.get('www-authenticate'),
      `Bearer resource_metadata="${prmUrl(demo.misconfiguredUrl)}", error="insufficient_scope", error_description="add_todo: insufficient scope"`,
    );
    const mixedToken = await accessToken(demo, demo.mixedUrl, 'todos.read');
    const correct = await callTool(demo.mixedUrl, 'add_todo', { title: 'x' }, { kind: 'bearer', token: mixedToken });
    assert.equal(correct.status, 403);
    assert.match(correct.headers.get('www-authenticate')!, /error="insufficient_scope".*scope="todos.read todos.write"/);
  });

  it('noauth-tool-refuses: search_docs still declares noauth but refuses anonymous callers; it works with a token and on /mcp-mixed', async () => {
    const anonymous = await callTool(demo.misconfiguredUrl, 'search_docs', { query: 'pkce' }, NONE);
    assert.equal(anonymous.status, 401);
    const list = await callTool(demo.misconfiguredUrl, 'whoami', {}, NONE); // a public tool still works anonymously
    assert.ok(succeeded(list));
    const init = await post(demo.misconfiguredUrl, { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: LEGACY_VERSION, capabilities: {}, clientInfo: { name: 't', version: '0' } } }, NONE);
    const sessionId = init.headers.get('mcp-session-id')!;
    await post(demo.misconfiguredUrl, { jsonrpc: '2.0', method: 'notifications/initialized' }, NONE, sessionId);
    const tools = await post(demo.misconfiguredUrl, { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} }, NONE, sessionId);
    const searchDocs = tools.body.result.tools.find((t: { name: string }) => t.name === NOAUTH_REFUSED_TOOL);
    assert.deepEqual(searchDocs.securitySchemes, [{ type: 'noauth' }]);
    assert.deepEqual(searchDocs._meta.securitySchemes, [{ type: 'noauth' }]);
    assert.ok(succeeded(await callTool(demo.misconfiguredUrl, 'search_docs', { query: 'pkce' }, { kind: 'bearer', token: tokens.full })));
    assert.ok(succeeded(await callTool(demo.mixedUrl, 'search_docs', { query: 'pkce' }, NONE)));
  });

  it('shows every planted defect on /mcp-misconfigured, and none on /mcp or /mcp-mixed', async () => {
    assert.deepEqual(sorted(await observedDefects(demo, demo.misconfiguredUrl, tokens)), sorted(DEFAULT_DEMO_DEFECTS));
    assert.deepEqual(sorted(await observedDefects(demo, demo.mixedUrl, await tokensFor(demo, demo.mixedUrl))), []);
    assert.deepEqual(sorted(await observedDefects(demo, demo.mcpUrl, await tokensFor(demo, demo.mcpUrl))), []);
  });

  it('/mcp refuses a token without todos.read, the scope its 401 names, with a 403 step-up challenge', async () => {
    const writeOnly = await accessToken(demo, demo.mcpUrl, 'todos.write');
    const answer = await callTool(demo.mcpUrl, 'whoami', {}, { kind: 'bearer', token: writeOnly });
    assert.equal(answer.status, 403);
    assert.equal(
      answer.headers.get('www-authenticate'),
      `Bearer resource_metadata="${prmUrl(demo.mcpUrl)}", error="insufficient_scope", error_description="every request to /mcp needs the todos.read scope", scope="todos.write todos.read"`,
    );
  });

  it('refuses an unknown defect name', async () => {
    await assert.rejects(startDemo({ port: 0, asPort: 0, misconfigured: ['no-such-defect' as DemoDefect] }), /unknown defect "no-such-defect"/);
  });
});

describe('demo: startDemo({ misconfigured }) plants exactly the defects named', function () {
  this.timeout(30_000);

  for (const planted of [[], ...DEMO_DEFECTS.map((d) => [d])] as DemoDefect[][]) {
    it(planted.length ? `${planted[0]} alone (→ ${DEFECT_CHECKS[planted[0]].id})` : 'none: /mcp-misconfigured is a correct per-tool server', async () => {
      const demo = await startDemo({ port: 0, asPort: 0, autoApprove: true, misconfigured: planted });
      try {
        assert.deepEqual(demo.misconfiguredDefects, planted);
        assert.deepEqual(sorted(await observedDefects(demo, demo.misconfiguredUrl, await tokensFor(demo, demo.misconfiguredUrl))), sorted(planted));
      } finally {
        await demo.close();
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------
// The audit of the demo

/** The failed checks of a report, as `id` or `id [subject]`, sorted. */
function failures(report: AuditReport): string[] {
  return report.checks
    .filter((c) => c.level === 'fail')
    .map((c) => (c.subject ? `${c.id} [${c.subject}]` : c.id))
    .sort();
}

/** The failures the planted defects must produce (DEFECT_CHECKS), sorted. */
function expectedFailures(defects: readonly DemoDefect[]): string[] {
  return defects
    .map((d) => DEFECT_CHECKS[d])
    .map((c) => (c.subject ? `${c.id} [${c.subject}]` : c.id))
    .sort();
}

/** What the failed checks found, for an assertion message. */
function failureText(report: AuditReport): string {
  return report.checks
    .filter((c) => c.level === 'fail')
    .map((c) => `${c.id}${c.subject ? ` [${c.subject}]` : ''}: ${c.finding}`)
    .join('\n');
}

function levelOf(report: AuditReport, id: string): string | undefined {
  return report.checks.find((c) => c.id === id)?.level;
}

function audit(url: string): Promise<AuditReport> {
  return runAudit({ serverUrl: url, headless: true });
}

describe('audit of the demo: every planted defect at its check, and nothing else', function () {
  this.timeout(120_000);
  let demo: DemoHandle;

  before(async () => {
    demo = await startDemo({ port: 0, asPort: 0, autoApprove: true });
  });

  after(async () => {
    await demo?.close();
  });

  it('/mcp-misconfigured: fail exactly at the checks of the planted defects; sign-in and the token probes ran', async () => {
    const report = await audit(demo.misconfiguredUrl);
    assert.deepEqual(failures(report), expectedFailures(DEFAULT_DEMO_DEFECTS), failureText(report));
    assert.equal(auditExitCode(report), 1);
    assert.equal(levelOf(report, 'authorization-server.sign-in'), 'pass', 'the defects leave sign-in working');
    for (const id of ['resource-server.tampered-signature', 'resource-server.alg-none', 'resource-server.unknown-key', 'resource-server.revoked-token']) {
      assert.equal(levelOf(report, id), 'pass', `${id}: the probes the defects do not touch still pass`);
    }
  });

  // `/mcp` and `/mcp-mixed` of this same demo (defects planted next door) report no fail:
  // test/demo/audit.test.ts.
});

describe('audit of the demo with one defect planted: only its check fails', function () {
  this.timeout(60_000);

  for (const planted of [[], ...DEMO_DEFECTS.map((d) => [d])] as DemoDefect[][]) {
    const title = planted.length ? `${planted[0]} → ${expectedFailures(planted).join(', ')}` : 'none → no fail';
    it(title, async () => {
      const demo = await startDemo({ port: 0, asPort: 0, autoApprove: true, misconfigured: planted });
      try {
        const report = await audit(demo.misconfiguredUrl);
        assert.deepEqual(failures(report), expectedFailures(planted), failureText(report));
      } finally {
        await demo.close();
      }
    });
  }
});
