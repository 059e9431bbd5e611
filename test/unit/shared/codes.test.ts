/**
 * The names that cross layers (src/shared/codes.ts): every OAuth step the engine records has a spec
 * section, no step name is written out as a literal outside that file, the token finding codes the
 * inspection emits all have a check label, and the two sorts of error codes hold what the editor and
 * the panels act on.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InspectorError } from '../../../src/core/errors';
import { Trace } from '../../../src/core/http/trace';
import { flowSteps } from '../../../src/present/flowSteps';
import { errorText, isAuthProblem, needsSignIn, OAUTH_STEP_SPEC, OAUTH_STEPS, STEP, TOKEN_CHECK_ORDER, TOKEN_FINDING_CHECK, type ErrorCode } from '../../../src/shared/codes';

const ROOT = join(__dirname, '../../..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

describe('shared/codes: names that cross layers', () => {
  it('every OAuth step has a spec section that cites an RFC, the MCP spec, OAuth 2.1, OpenID or a draft', () => {
    assert.ok(OAUTH_STEPS.length >= 20, `only ${OAUTH_STEPS.length} steps`);
    for (const step of OAUTH_STEPS) {
      const spec = OAUTH_STEP_SPEC[step];
      assert.ok(typeof spec === 'string' && spec.trim() !== '', `the step "${step}" has no spec section`);
      assert.match(spec, /\b(RFC \d+|MCP |OAuth 2\.1|OpenID|ID-JAG draft)/, `the spec section of "${step}" cites nothing: ${spec}`);
    }
    assert.deepEqual(Object.keys(OAUTH_STEP_SPEC).sort(), [...OAUTH_STEPS].sort(), 'the spec table names exactly the steps');
    assert.equal(new Set(OAUTH_STEPS).size, OAUTH_STEPS.length, 'no step named twice');
  });

  it('the engine writes no step name as a literal: each recording site passes a STEP constant', () => {
    const names = new Set<string>(OAUTH_STEPS);
    const offenders: string[] = [];
    for (const file of sources(join(ROOT, 'src'))) {
      if (file.endsWith(join('shared', 'codes.ts'))) continue;
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:\bstep: |\.note\(\s*|[A-Za-z_]*(?:step|STEP)[A-Za-z_]* = )'([^']+)'/g)) {
        if (names.has(m[1])) offenders.push(`${file.slice(ROOT.length + 1)}: '${m[1]}'`);
      }
    }
    assert.deepEqual(offenders, [], 'use STEP.… from src/shared/codes.ts');
  });

  it('the cross-app and workload steps of grants.ts show their spec section in the flow, with no note naming one', () => {
    const t = new Trace();
    for (const step of [STEP.idJagExchange, STEP.jwtBearer, STEP.workloadIdentity, STEP.clientCredentials]) {
      t.record({ kind: 'http', id: t.newId(), step, purpose: 'token', startedAt: 0, durationMs: 1, request: { method: 'POST', url: 'https://as.example/token', headers: {} }, response: { status: 200, headers: {}, bytes: 2, body: '{}' } });
    }
    const steps = flowSteps(t.all());
    assert.deepEqual(
      steps.map((s) => [s.step, s.spec]),
      [
        ['token exchange at the identity provider', 'RFC 8693 §2; ID-JAG draft §4'],
        ['jwt-bearer grant', 'RFC 7523 §2.1; ID-JAG draft'],
        ['jwt-bearer grant (workload identity)', 'RFC 7523 §2.1; MCP SEP-1933'],
        ['client credentials grant', 'RFC 6749 §4.4'],
      ],
    );
  });

  it('every token finding code the inspection emits has a check label, and the labels keep the panel order', () => {
    const emitted = new Set<string>();
    for (const file of [join(ROOT, 'src/core/inspect/token.ts'), join(ROOT, 'src/core/inspect/claimChecks.ts')]) {
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:add\(\s*(?:'[a-z]+'|[^,]+\?[^,]+:[^,]+),\s*|code: )'([a-z_]+)'/g)) emitted.add(m[1]);
    }
    assert.ok(emitted.size >= 30, `found only ${emitted.size} codes: ${[...emitted].join(' ')}`);
    for (const code of emitted) assert.ok(Object.hasOwn(TOKEN_FINDING_CHECK, code), `the finding code "${code}" has no check label`);
    assert.deepEqual(TOKEN_CHECK_ORDER, ['Signature', 'Issuer', 'Audience', 'Lifetime', 'Scopes', 'Token type (typ)', 'Introspection', 'Format', 'Claims', 'Other']);
  });

  it('an expired or revoked grant is an authorization problem and leaves the server waiting for a sign-in; a cancelled sign-in only the latter', () => {
    // RFC 6749 §5.2: invalid_grant — only a new authorization grant helps.
    assert.ok(isAuthProblem('invalid_grant') && needsSignIn('invalid_grant'));
    assert.ok(isAuthProblem('authorization_required') && needsSignIn('authorization_required'));
    assert.ok(isAuthProblem('insufficient_scope') && !needsSignIn('insufficient_scope'), 'more scope is a step-up, not a missing sign-in');
    assert.ok(isAuthProblem('invalid_client') && !needsSignIn('invalid_client'), 'a refused client is a setup error');
    for (const code of ['authorization_cancelled', 'authorization_timeout', 'authorization_denied', 'browser_open_failed'] as ErrorCode[]) {
      assert.ok(needsSignIn(code) && !isAuthProblem(code), code);
    }
    for (const code of ['network_error', 'request_timeout', 'address_refused', 'mcp_request_failed', 'internal', 'bad_message', undefined]) {
      assert.ok(!isAuthProblem(code) && !needsSignIn(code), String(code));
    }
  });

  it('errorText is how an InspectorError composes its message: step, detail, URL, hint', () => {
    const e = new InspectorError('network_error', 'could not reach the server', { step: 'MCP initialize', url: 'http://127.0.0.1:9/mcp', hint: 'Check the URL' });
    assert.equal(e.message, 'MCP initialize: could not reach the server (http://127.0.0.1:9/mcp). Check the URL');
    assert.equal(errorText({ message: e.detail, step: e.step, url: e.url, hint: e.hint }), e.message);
    assert.equal(errorText({ message: 'bare' }), 'bare');
  });
});
