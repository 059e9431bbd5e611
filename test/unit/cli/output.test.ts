import { strict as assert } from 'node:assert';
import type { TokenInspection } from '../../../src/core/inspect/token';
import { EXIT, callHuman, errorLine, tokenExitCode, tokenHuman, traceLine } from '../../../src/cli/output';

const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const HOSTILE = 'x\u001b]52;c;ZXZpbA==\u0007\nerror [internal]: forged\u202e';

describe('cli/output', () => {
  const inspection = (levels: Array<'pass' | 'info' | 'warn' | 'fail'>): TokenInspection => ({
    format: 'jwt',
    verified: false,
    subject: HOSTILE,
    audience: [HOSTILE],
    scopes: [HOSTILE],
    source: 'jwt',
    findings: levels.map((level) => ({ level, code: 'typ' as const, message: `${level}: ${HOSTILE}` })),
  });

  it('tokenHuman: every claim and finding message escaped, one line each', () => {
    const text = tokenHuman({ resource: HOSTILE, issuer: HOSTILE, hasRefreshToken: false, inspection: inspection(['fail', 'warn']) });
    assert.doesNotMatch(text, RAW_CONTROL);
    assert.equal(text.split('\n').length, 3 + 2 + 1);
    assert.ok(!text.split('\n').some((l) => l.startsWith('error')));
  });

  it('tokenExitCode: 0 without --fail-on; 3 at or above the level asked', () => {
    assert.equal(tokenExitCode(inspection(['fail']).findings, undefined), EXIT.ok);
    assert.equal(tokenExitCode(inspection(['fail']).findings, 'fail'), EXIT.findings);
    assert.equal(tokenExitCode(inspection(['warn', 'pass']).findings, 'fail'), EXIT.ok);
    assert.equal(tokenExitCode(inspection(['warn']).findings, 'warn'), EXIT.findings);
    assert.equal(tokenExitCode(inspection(['fail']).findings, 'warn'), EXIT.findings);
    assert.equal(tokenExitCode(inspection(['info', 'pass']).findings, 'warn'), EXIT.ok);
    assert.equal(EXIT.findings, 3);
  });

  it('callHuman keeps a result’s own lines; errorLine and traceLine are single lines', () => {
    assert.equal(callHuman({ content: [{ type: 'text', text: 'a\nb\u001b[2J' }], isError: true }), 'Tool error:\na\nb\\x1b[2J\n');
    const err = errorLine('mcp_request_failed', HOSTILE);
    assert.equal(err.split('\n').length, 2);
    assert.doesNotMatch(err.slice(0, -1), RAW_CONTROL);
    const note = traceLine({ kind: 'note', id: 1, step: `MCP ${HOSTILE}`, at: 0, level: 'warn', message: HOSTILE });
    assert.doesNotMatch(note, RAW_CONTROL);
    assert.ok(!note.includes('\n'));
  });
});
