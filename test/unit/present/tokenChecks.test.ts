/**
 * The token panel's verification rows (src/present/tokenChecks.ts): each finding labelled by its
 * code's entry in TOKEN_FINDING_CHECK, rows in the table's order, findings of one check in the
 * order the inspection found them.
 */
import { strict as assert } from 'node:assert';
import type { TokenFinding } from '../../../src/core/inspect/token';
import { tokenChecks } from '../../../src/present/tokenChecks';

describe('present/tokenChecks: verification rows by finding code', () => {
  it('labels by code and orders signature, issuer, audience, lifetime, scopes, … other; stable within a check', () => {
    const findings: TokenFinding[] = [
      { level: 'pass', code: 'dpop_bound', message: 'bound' },
      { level: 'pass', code: 'scope_present', message: 'scopes' },
      { level: 'warn', code: 'expires_soon', message: 'soon' },
      { level: 'fail', code: 'audience_mismatch', message: 'aud' },
      { level: 'info', code: 'typ', message: 'typ' },
      { level: 'pass', code: 'issuer_match', message: 'iss' },
      { level: 'warn', code: 'jwks_unavailable', message: 'keys' },
      { level: 'fail', code: 'issued_in_future', message: 'iat' },
      { level: 'info', code: 'opaque', message: 'opaque' },
    ];
    assert.deepEqual(
      tokenChecks(findings).map((c) => [c.check, c.code]),
      [
        ['Signature', 'jwks_unavailable'],
        ['Issuer', 'issuer_match'],
        ['Audience', 'audience_mismatch'],
        ['Lifetime', 'expires_soon'],
        ['Lifetime', 'issued_in_future'],
        ['Scopes', 'scope_present'],
        ['Token type (typ)', 'typ'],
        ['Format', 'opaque'],
        ['Other', 'dpop_bound'],
      ],
    );
    assert.deepEqual(tokenChecks(findings)[2], { check: 'Audience', level: 'fail', message: 'aud', code: 'audience_mismatch' });
  });
});
