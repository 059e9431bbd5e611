// InspectorError keeps what happened apart from where and what next: callers read fields, never
// cut them back out of the composed message.
import { strict as assert } from 'node:assert';
import { InspectorError } from '../../src/core/errors';

describe('core/errors: InspectorError', () => {
  it('composes step, URL and hint into the message for display, and keeps each as a field, the bare detail included', () => {
    const e = new InspectorError('network_error', 'could not reach the server: fetch failed', { step: 'MCP initialize', url: 'http://127.0.0.1:9/mcp', hint: 'Check the URL' });
    assert.equal(e.message, 'MCP initialize: could not reach the server: fetch failed (http://127.0.0.1:9/mcp). Check the URL');
    assert.equal(e.detail, 'could not reach the server: fetch failed');
    assert.equal(e.step, 'MCP initialize');
    assert.equal(e.url, 'http://127.0.0.1:9/mcp');
    assert.equal(e.hint, 'Check the URL');
  });

  it('a detail that itself looks like "step: …" or ends like a hint stays as it was written', () => {
    const e = new InspectorError('callback_invalid', 'authorization callback: x. Check the URL', { step: 'authorization callback', hint: 'Check the URL' });
    assert.equal(e.detail, 'authorization callback: x. Check the URL');
  });
});
