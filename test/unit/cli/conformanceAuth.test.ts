/**
 * The conformance adapter's plans for the scenarios suite 0.2.0 added on the authorization side and
 * for the Skills extension: what each configures in the engine (grant, client, context keys).
 */
import { strict as assert } from 'node:assert';
import { planFor } from '../../../src/cli/conformance';

describe('conformance adapter: suite 0.2.0 scenarios', () => {
  it('auth/wif-jwt-bearer: the workload identity grant with the valid JWT from the context, a public pre-registered client', () => {
    const ctx = { client_id: 'conformance-wif-workload', valid_jwt: 'eyJ.valid.jwt', wrong_audience_jwt: 'eyJ.wrong.aud', expired_jwt: 'eyJ.expired.jwt' };
    const plan = planFor('auth/wif-jwt-bearer', ctx);
    assert.equal(plan.grant, 'workload_identity');
    assert.deepEqual(plan.workload, { assertion: 'eyJ.valid.jwt' });
    assert.equal(plan.client.policy, 'preregistered');
    assert.equal(plan.client.client_id, 'conformance-wif-workload');
    assert.equal(plan.client.token_endpoint_auth_method, 'none');
    assert.equal(plan.client.client_secret, undefined);
    assert.equal(plan.crossApp, undefined);
  });

  it('auth/enterprise-managed-authorization: cross-app access, as its old name was', () => {
    const ctx = { client_id: 'c', client_secret: 's', idp_client_id: 'i', idp_id_token: 't', idp_issuer: 'http://idp', idp_token_endpoint: 'http://idp/token' };
    const renamed = planFor('auth/enterprise-managed-authorization', ctx);
    const old = planFor('auth/cross-app-access-complete-flow', ctx);
    assert.equal(renamed.grant, 'cross_app_access');
    assert.deepEqual(renamed, old);
    assert.deepEqual(renamed.crossApp, { idp_issuer: 'http://idp', idp_token_endpoint: 'http://idp/token', idp_client_id: 'i', idp_id_token: 't' });
  });

  it('sep-2640: no-prefetch only lists the skills; the verify scenarios load the first one; none calls a tool', () => {
    assert.equal(planFor('sep-2640-client-no-prefetch', {}).skills, 'list');
    for (const s of ['sep-2640-client-verify-digest', 'sep-2640-client-verify-size', 'sep-2640-client-verify-frontmatter']) {
      assert.equal(planFor(s, {}).skills, 'load', s);
      assert.deepEqual(planFor(s, {}).calls, [], s);
    }
    assert.equal(planFor('auth/metadata-default', {}).skills, undefined);
  });
});
