/**
 * The tools panel's security view (src/vscode/webviews/state.ts, no vscode import at run time): a
 * tool declared public that the server refused without a token carries the disagreement to the panel.
 */
import * as assert from 'node:assert/strict';
import type { ToolInfo } from '../../../../src/core/mcp/session';
import { toolSecurity } from '../../../../src/core/mcp/toolSecurity';
import { securityView } from '../../../../src/vscode/webviews/state';

const info = (refused?: { status: number; via: 'http' | 'tool-result'; at: number }): ToolInfo => {
  const tool = { name: 'public_info', inputSchema: { type: 'object' as const }, securitySchemes: [{ type: 'noauth' }] };
  return { tool, security: toolSecurity(tool, [], false, true, refused) } as ToolInfo;
};

describe('vscode/webviews/state: the security view', () => {
  it('carries declared-versus-observed to the panel: what was declared, the status, the sentence', () => {
    const v = securityView(info({ status: 401, via: 'http', at: 1 }));
    assert.equal(v.kind, 'public', 'the declaration as declared');
    assert.deepEqual(v.mismatch, { declared: 'public (noauth)', status: 401, message: 'declared public (noauth), but the server answered 401 to a call without a token' });
  });

  it('nothing observed: no mismatch field at all (the panel state stays the same size)', () => {
    assert.equal('mismatch' in securityView(info()), false);
  });
});
