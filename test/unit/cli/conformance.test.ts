import { strict as assert } from 'node:assert';
import type { Tool } from '@modelcontextprotocol/client';
import { planFor } from '../../../src/cli/conformance';
import { sampleArguments } from '../../../src/core/mcp/sampleArguments';

/** The client scenarios of @modelcontextprotocol/conformance 0.1.16 (`conformance list`), all 26. */
const SCENARIOS = [
  'initialize',
  'tools_call',
  'elicitation-sep1034-client-defaults',
  'sse-retry',
  'auth/metadata-default',
  'auth/metadata-var1',
  'auth/metadata-var2',
  'auth/metadata-var3',
  'auth/basic-cimd',
  'auth/scope-from-www-authenticate',
  'auth/scope-from-scopes-supported',
  'auth/scope-omitted-when-undefined',
  'auth/scope-step-up',
  'auth/scope-retry-limit',
  'auth/token-endpoint-auth-basic',
  'auth/token-endpoint-auth-post',
  'auth/token-endpoint-auth-none',
  'auth/pre-registration',
  'auth/2025-03-26-oauth-metadata-backcompat',
  'auth/2025-03-26-oauth-endpoint-fallback',
  'auth/resource-mismatch',
  'auth/offline-access-scope',
  'auth/offline-access-not-supported',
  'auth/client-credentials-jwt',
  'auth/client-credentials-basic',
  'auth/cross-app-access-complete-flow',
];

const CTX = {
  client_id: 'conf-client',
  client_secret: 'conf-secret-value',
  private_key_pem: '-----BEGIN PRIVATE KEY-----\nMIG…\n-----END PRIVATE KEY-----\n',
  signing_algorithm: 'RS256',
  idp_issuer: 'https://idp.example',
  idp_token_endpoint: 'https://idp.example/token',
  idp_client_id: 'idp-client',
  idp_id_token: 'eyJ.id.token',
};

const CIMD = 'https://conformance-test.local/client-metadata.json';

/** What each scenario must configure: grant, client policy (and the fields that matter), calls. */
const EXPECTED: Record<string, { grant: string; policy: string; calls: string[]; client?: Record<string, unknown> }> = {
  initialize: { grant: 'authorization_code', policy: 'auto', calls: [] },
  tools_call: { grant: 'authorization_code', policy: 'auto', calls: ['add_numbers'] },
  'elicitation-sep1034-client-defaults': { grant: 'authorization_code', policy: 'auto', calls: ['test_client_elicitation_defaults'] },
  'sse-retry': { grant: 'authorization_code', policy: 'auto', calls: ['test_reconnection'] },
  'auth/pre-registration': {
    grant: 'authorization_code',
    policy: 'preregistered',
    calls: ['*first'],
    client: { client_id: 'conf-client', client_secret: 'conf-secret-value' },
  },
  'auth/client-credentials-basic': {
    grant: 'client_credentials',
    policy: 'preregistered',
    calls: ['*first'],
    client: { client_id: 'conf-client', client_secret: 'conf-secret-value', token_endpoint_auth_method: 'client_secret_basic' },
  },
  'auth/client-credentials-jwt': {
    grant: 'client_credentials',
    policy: 'preregistered',
    calls: ['*first'],
    client: { client_id: 'conf-client', private_key_pem: CTX.private_key_pem, signing_alg: 'RS256', token_endpoint_auth_method: 'private_key_jwt' },
  },
  'auth/cross-app-access-complete-flow': {
    grant: 'cross_app_access',
    policy: 'preregistered',
    calls: ['*first'],
    client: { client_id: 'conf-client', client_secret: 'conf-secret-value', token_endpoint_auth_method: 'client_secret_basic' },
  },
};

describe('conformance adapter', () => {
  it('knows 26 scenarios', () => {
    assert.equal(SCENARIOS.length, 26);
    assert.equal(new Set(SCENARIOS).size, 26);
  });

  describe('planFor', () => {
    for (const scenario of SCENARIOS) {
      it(scenario, () => {
        const plan = planFor(scenario, CTX);
        const want = EXPECTED[scenario] ?? { grant: 'authorization_code', policy: 'auto', calls: ['*first'] };
        assert.equal(plan.grant, want.grant);
        assert.equal(plan.client.policy, want.policy);
        assert.deepEqual(plan.calls, want.calls);
        // The CIMD URL the suite expects is always offered (auto picks it when the AS supports CIMD).
        assert.equal(plan.client.client_metadata_url, CIMD);
        for (const [k, v] of Object.entries(want.client ?? {})) assert.deepEqual((plan.client as unknown as Record<string, unknown>)[k], v, `${scenario}: client.${k}`);
        if (want.policy === 'auto') {
          // No pre-registered credentials leak into the auto-registration scenarios.
          assert.equal(plan.client.client_id, undefined);
          assert.equal(plan.client.client_secret, undefined);
        }
        if (scenario === 'auth/cross-app-access-complete-flow') {
          assert.deepEqual(plan.crossApp, {
            idp_issuer: CTX.idp_issuer,
            idp_token_endpoint: CTX.idp_token_endpoint,
            idp_client_id: CTX.idp_client_id,
            idp_id_token: CTX.idp_id_token,
          });
        } else {
          assert.equal(plan.crossApp, undefined);
        }
      });
    }

    it('client-credentials-jwt defaults the signing algorithm to ES256', () => {
      const { signing_algorithm: _drop, ...ctx } = CTX;
      void _drop;
      const plan = planFor('auth/client-credentials-jwt', ctx);
      assert.equal((plan.client as unknown as Record<string, unknown>).signing_alg, 'ES256');
    });

    it('an explicit client metadata URL overrides the suite default', () => {
      const plan = planFor('auth/basic-cimd', {}, 'https://example.com/client.json');
      assert.equal(plan.client.client_metadata_url, 'https://example.com/client.json');
    });

    it('an unknown or empty scenario gets the default plan', () => {
      for (const s of ['', 'auth/something-new', 'nope']) {
        const plan = planFor(s, CTX);
        assert.equal(plan.grant, 'authorization_code');
        assert.equal(plan.client.policy, 'auto');
        assert.deepEqual(plan.calls, ['*first']);
      }
    });

    it('plans do not share state between calls', () => {
      const a = planFor('auth/pre-registration', CTX);
      const b = planFor('auth/metadata-default', CTX);
      assert.equal(a.client.client_id, 'conf-client');
      assert.equal(b.client.client_id, undefined);
    });
  });

  describe('sampleArguments', () => {
    const tool = (inputSchema: Record<string, unknown>): Tool => ({ name: 't', inputSchema: { type: 'object', ...inputSchema } }) as Tool;

    it('uses defaults, also for optional fields', () => {
      const args = sampleArguments(
        tool({
          properties: {
            name: { type: 'string', default: 'Ada' },
            count: { type: 'integer', default: 0 },
            flag: { type: 'boolean', default: false },
            nothing: { type: 'string', default: null },
          },
          required: ['name'],
        }),
      );
      assert.deepEqual(args, { name: 'Ada', count: 0, flag: false, nothing: null });
    });

    it('fills required fields by type; skips optional ones without a default', () => {
      const args = sampleArguments(
        tool({
          properties: {
            s: { type: 'string' },
            n: { type: 'number' },
            i: { type: 'integer' },
            b: { type: 'boolean' },
            a: { type: 'array', items: { type: 'string' } },
            o: { type: 'object' },
            e: { type: 'string', enum: ['red', 'green'] },
            untyped: {},
            optional: { type: 'string' },
          },
          required: ['s', 'n', 'i', 'b', 'a', 'o', 'e', 'untyped'],
        }),
      );
      assert.deepEqual(args, { s: 'test', n: 1, i: 1, b: true, a: [], o: {}, e: 'red', untyped: 'test' });
    });

    it('a default wins over the enum and the type', () => {
      assert.deepEqual(sampleArguments(tool({ properties: { e: { type: 'string', enum: ['a', 'b'], default: 'b' } }, required: ['e'] })), { e: 'b' });
    });

    it('no properties → {}', () => {
      assert.deepEqual(sampleArguments(tool({})), {});
      assert.deepEqual(sampleArguments(tool({ required: ['ghost'] })), {});
    });

    it('the conformance elicitation tool gets {}', () => {
      assert.deepEqual(sampleArguments(tool({ properties: {} })), {});
    });
  });
});
