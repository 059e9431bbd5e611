/**
 * The hostile MCP server (test/fixtures/hostileServer.ts) through the real engine session and the
 * tools panel's DOM-free modules: its tools' schemas build forms without throwing or stalling, its
 * markup stays data, its results give exactly one media data: URI (the valid PNG) and exactly one
 * link (the https one). The e2e test (test/e2e/toolsPanel.e2e.ts) renders the same in the webview.
 */
import * as assert from 'node:assert/strict';
import { isInspectorError } from '../../../src/core/errors';
import { createGuardedFetch } from '../../../src/core/http/guardedFetch';
import { Redactor } from '../../../src/core/http/redact';
import { Trace } from '../../../src/core/http/trace';
import { McpSession } from '../../../src/core/mcp/session';
import { nullLogger } from '../../../src/core/ports';
import { classifyPart, type PartView } from '../../../webview-ui/content';
import { collect, initialDraft } from '../../../webview-ui/form/draft';
import { buildForm, type Field } from '../../../webview-ui/form/schema';
import { httpsHref } from '../../../webview-ui/links';
import { DEEP_TOOL, ERROR_TOOL, HOSTILE_TOOL, PAYLOADS, startHostileServer, THROW_TOOL, type HostileServer } from '../../fixtures/hostileServer';

function allFields(f: Field, out: Field[] = []): Field[] {
  out.push(f);
  if (f.kind === 'object') for (const p of f.properties) allFields(p, out);
  if (f.kind === 'array') allFields(f.items, out);
  return out;
}

describe('webview: the hostile server through the engine and the panel models', () => {
  let srv: HostileServer;
  let session: McpSession;
  before(async () => {
    srv = await startHostileServer();
    const url = new URL(srv.url);
    session = new McpSession({ target: { kind: 'http', url }, fetch: createGuardedFetch({ policy: { trustedOrigin: url }, trace: new Trace(), redactor: new Redactor(), timeoutMs: 5000 }), logger: nullLogger });
    await session.connect();
  });
  after(async () => {
    await session?.close();
    await srv?.close();
  });

  it('lists the tools with their markup intact (data, not code)', async () => {
    const tools = await session.listTools();
    assert.deepEqual(tools.map((t) => t.tool.name), [HOSTILE_TOOL, ERROR_TOOL, THROW_TOOL, DEEP_TOOL]);
    const t = tools[0].tool;
    assert.ok(t.description?.includes(PAYLOADS.script));
    assert.equal(t.annotations?.title, PAYLOADS.svg);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('every schema builds a form quickly; markup in labels, descriptions, options and defaults stays text', async () => {
    const tools = await session.listTools();
    for (const { tool } of tools) {
      const started = Date.now();
      const model = buildForm(tool.inputSchema);
      assert.ok(Date.now() - started < 200, `${tool.name}: ${Date.now() - started} ms`);
      const r = collect(model, initialDraft(model.root));
      assert.ok(r.value && typeof r.value === 'object');
    }
    const hostile = buildForm(tools[0].tool.inputSchema);
    const fields = allFields(hostile.root);
    const texts = fields.flatMap((f) => [f.label, f.description ?? '', ...(f.kind === 'enum' ? f.options.map((o) => o.label) : [])]).join('\n');
    for (const p of [PAYLOADS.svg, PAYLOADS.link, PAYLOADS.iframe, PAYLOADS.img]) assert.ok(texts.includes(p), `kept as text: ${p.slice(0, 30)}`);
    const args = collect(hostile, initialDraft(hostile.root)).value;
    assert.match(String(args[PAYLOADS.img]), /^javascript:/, 'a default is a value the user can see and change, never a link');
    // the deep/huge tool: the wide object is beyond the field cap, so the whole form is JSON
    const deep = buildForm(tools[3].tool.inputSchema);
    assert.match(deep.fallback ?? '', /more than 200 fields/);
  });

  it('the result: one image data: URI (the PNG), no link but the https one, markup as text', async () => {
    const { result, outputCheck } = await session.inspectToolCall(HOSTILE_TOOL, {});
    assert.equal(outputCheck, undefined, 'no outputSchema');
    const parts: PartView[] = (result.content as unknown[]).map(classifyPart);
    const media = parts.filter((p): p is Extract<PartView, { kind: 'image' | 'audio' }> => p.kind === 'image' || p.kind === 'audio');
    assert.deepEqual(media.filter((m) => m.src).map((m) => m.src!.slice(0, 22)), ['data:image/png;base64,']);
    assert.equal(media.filter((m) => m.refused).length, 3, 'svg, a type with markup, audio with an html type');
    const links = parts.filter((p) => p.kind === 'resource-link').map((p) => httpsHref((p as { uri: string }).uri)).filter(Boolean);
    assert.deepEqual(links, ['https://example.com/ok']);
    const text = parts.find((p) => p.kind === 'text') as { text: string };
    assert.ok(text.text.includes(PAYLOADS.script));
  });

  it('isError results and JSON-RPC errors carry their markup as message text', async () => {
    const r = await session.inspectToolCall(ERROR_TOOL, {});
    assert.equal(r.result.isError, true);
    await assert.rejects(session.inspectToolCall(THROW_TOOL, {}), (err: unknown) => {
      assert.ok(isInspectorError(err, 'mcp_request_failed'));
      assert.ok(err.message.includes(PAYLOADS.script), err.message);
      return true;
    });
  });
});
