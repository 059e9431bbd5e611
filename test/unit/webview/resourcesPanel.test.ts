/**
 * The Resources and Prompts panels (webview-ui/resources, webview-ui/prompts) in headless Chromium,
 * without VS Code: the webview bundle built from source, a stub acquireVsCodeApi, state pushes and
 * request replies. A hostile server's names, URIs, text (markup, controls, bidi, binary sent as
 * text, a huge payload), images (SVG, forged base64), prompt messages and completion values render
 * as text: no payload runs, no handler attribute, no link, no image but an allowed data: URI. And
 * the panels ask the host only by name (URI, index, prompt), never with a path or a URL.
 * Skipped without Chromium (CHROMIUM_PATH).
 */
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { promptView, readView } from '../../../src/present/resourceView';
import type { ServerSummary } from '../../../src/shared/protocol';
import type { PromptsState, ResourcesState } from '../../../src/shared/resources';
import { buildPanelBundle, CHROMIUM, launchPanelBrowser } from './panelBrowser';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const XSS = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><a href="javascript:window.__pwned=3">x</a>`;

const IN_PAGE = `
window.__msgs = [];
window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__msgs.push(JSON.parse(JSON.stringify(m))), getState: () => undefined, setState: () => {} });
window.__t = {
  notify(method, p) { window.postMessage({ type: 'notify', method, params: p }, '*'); return new Promise((r) => setTimeout(r, 30)); },
  reply(id, result) { window.postMessage({ type: 'reply', id, ok: true, result }, '*'); return new Promise((r) => setTimeout(r, 30)); },
  sent: (method) => window.__msgs.filter((m) => m.method === method),
};`;

const DOM_PROBE = `(() => {
  const all = [...document.querySelectorAll('*')];
  return {
    pwned: window.__pwned,
    onAttrs: all.flatMap((el) => [...el.attributes].filter((a) => /^on/i.test(a.name)).map((a) => el.tagName + ' ' + a.name)),
    scripts: document.querySelectorAll('body script').length,
    foreign: all.filter((el) => ['SVG', 'IFRAME', 'OBJECT', 'EMBED', 'FORM', 'BASE', 'META', 'LINK', 'STYLE', 'A'].includes(el.tagName.toUpperCase()) && !el.closest('head')).map((el) => el.tagName),
    imgs: [...document.querySelectorAll('img')].map((i) => i.getAttribute('src') || ''),
  };
})()`;

const server = { id: 'srv', name: `Hostile ${XSS}`, url: 'http://127.0.0.1:5080/mcp', state: 'connected' as const, signedIn: true, scopes: [] };

describe('webview/resources: the Resources and Prompts panels with hostile content (headless Chromium)', function () {
  this.timeout(60_000);
  let browser: Browser | undefined;
  let bundle = '';
  let css = '';
  let page: Page;

  before(async function () {
    if (!existsSync(CHROMIUM)) this.skip();
    ({ bundle, css } = await buildPanelBundle('main.ts'));
    browser = await launchPanelBrowser('resources-panel-');
  });
  after(async () => {
    await browser?.close();
  });
  async function open(kind: 'resources' | 'prompts'): Promise<void> {
    page = await browser!.newPage({ viewport: { width: 1200, height: 900 } });
    await page.setContent(`<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"></head><body data-panel="${kind}"><main id="app"></main></body></html>`);
    await page.addStyleTag({ content: css });
    await page.addScriptTag({ content: IN_PAGE });
    await page.addScriptTag({ content: bundle });
  }
  afterEach(async () => {
    await page?.close();
  });

  const notify = (method: string, p: unknown) => page.evaluate(([m, x]) => (globalThis as unknown as { __t: { notify(m: unknown, p: unknown): Promise<void> } }).__t.notify(m, x), [method, p] as const);
  const sent = (method: string) => page.evaluate((m) => (globalThis as unknown as { __t: { sent(m: string): Array<{ id: number; params: Record<string, unknown> }> } }).__t.sent(m), method);
  const reply = (id: number, result: unknown) => page.evaluate(([i, r]) => (globalThis as unknown as { __t: { reply(i: unknown, r: unknown): Promise<void> } }).__t.reply(i, r), [id, result] as const);
  const lastRequest = async (method: string) => {
    const all = await sent(method);
    assert.ok(all.length > 0, `no ${method} request`);
    return all[all.length - 1];
  };

  it('resources: hostile listing, text, binary-as-text, huge text, SVG and forged images all inert; Save asks by URI and index', async () => {
    await open('resources');
    const uri = `x://r/${XSS}`;
    const st: ResourcesState<ServerSummary> = {
      server,
      resources: [{ uri, name: XSS, description: `\u202e${XSS}`, mimeType: 'text/html' }],
      templates: [{ uriTemplate: 'x://t/{id}', name: `T ${XSS}` }],
      more: false,
      selected: uri,
      subscriptions: { supported: false, message: 'The server does not offer resource subscriptions (resources.subscribe is not in its capabilities)' },
      subscribed: [],
      completions: { supported: true },
    };
    await notify('state/resources', st);
    const read = await lastRequest('resource/read');
    assert.deepEqual(read.params, { uri });
    const result = readView(uri, {
      contents: [
        { uri, mimeType: 'text/html', text: XSS },
        { uri, mimeType: 'text/plain', text: `\x89PNG\x00\x01\x1b]52;c;AAAA\x07${'\x00'.repeat(40)}` },
        { uri, mimeType: 'text/plain', text: 'h'.repeat(3_000_000) },
        { uri, mimeType: 'image/svg+xml', blob: PNG },
        { uri, mimeType: 'image/png', blob: `${PNG}" onerror="window.__pwned=4` },
        { uri, mimeType: 'image/png', blob: PNG },
        { uri, mimeType: 'application/octet-stream', blob: 'AAAA' },
      ],
    }, Date.now());
    await reply(read.id, result);
    await page.waitForSelector('[data-testid="read-result"]');
    const texts = await page.$$eval('[data-testid="resource-text"]', (els) => els.map((e) => e.textContent ?? ''));
    assert.equal(texts[0], XSS, 'markup shown as its characters');
    assert.ok(texts[1].startsWith('\\x89PNG\\x00\\x01\\x1b]52;c;AAAA\\x07'), texts[1].slice(0, 60));
    assert.equal(texts[2].length, 200_000, 'the huge text is cut');
    const body = await page.innerText('[data-testid="read-result"]');
    for (const says of ['binary data sent as text', 'Cut: 200,000 of 3,000,000 characters shown', 'image/svg+xml', 'Binary, 70 B', 'Binary, 3 B']) assert.ok(body.includes(says), `the panel says ${says}`);
    assert.match(await page.innerText('[data-testid="no-subscribe"]'), /does not offer resource subscriptions/);
    const dom = (await page.evaluate(DOM_PROBE)) as { pwned: unknown; onAttrs: string[]; scripts: number; foreign: string[]; imgs: string[] };
    assert.equal(dom.pwned, undefined);
    assert.deepEqual(dom.onAttrs, []);
    assert.equal(dom.scripts, 0);
    assert.deepEqual(dom.foreign, []);
    assert.deepEqual(dom.imgs, [`data:image/png;base64,${PNG}`], 'only the valid PNG is an image');
    // Save names the item of the read; the host picks the file with a dialog
    const saves = page.locator('[data-testid="save"]');
    assert.equal(await saves.count(), 3, 'the SVG, the forged PNG and the octet-stream are size + Save; the valid PNG is shown');
    await saves.last().click();
    assert.deepEqual((await lastRequest('resource/save')).params, { uri, index: 6 });
  });

  it('a template: variables from the URI template, completion values as text, the expanded URI percent-encoded', async () => {
    await open('resources');
    await notify('state/resources', { server, resources: [], templates: [{ uriTemplate: 'x://t/{id}', name: 't' }], more: false, selected: 'x://t/{id}', subscriptions: { supported: true, via: 'resources/subscribe' }, subscribed: [], completions: { supported: true } } satisfies ResourcesState<ServerSummary>);
    await page.focus('input[name="id"]');
    const ask = await lastRequest('completion/complete');
    assert.deepEqual(ask.params, { ref: 'resource', name: 'x://t/{id}', argument: 'id', value: '', context: {} });
    await reply(ask.id, { values: [XSS, '../../etc/passwd?x#y'], total: 2 });
    const suggestions = await page.$$eval('[data-testid="suggestion"]', (els) => els.map((e) => e.textContent));
    assert.deepEqual(suggestions, [XSS, '../../etc/passwd?x#y']);
    await page.locator('[data-testid="suggestion"]').last().click();
    assert.equal(await page.innerText('[data-testid="expanded-uri"]'), 'x://t/..%2F..%2Fetc%2Fpasswd%3Fx%23y');
    await page.click('[data-testid="read"]');
    assert.deepEqual((await lastRequest('resource/read')).params, { uri: 'x://t/..%2F..%2Fetc%2Fpasswd%3Fx%23y' });
    assert.equal((await page.evaluate(DOM_PROBE) as { pwned: unknown }).pwned, undefined);
  });

  it('prompts: hostile messages by role render as text; an SVG image is refused; Get sends the arguments as strings', async () => {
    await open('prompts');
    const st: PromptsState<ServerSummary> = { server, prompts: [{ name: 'p', title: XSS, description: XSS, arguments: [{ name: 'style', description: XSS, required: true }] }], more: false, selected: 'p', completions: { supported: false, message: 'The server does not offer completions (no completions capability)' } };
    await notify('state/prompts', st);
    await page.fill('input[name="style"]', `${XSS}\u202e`);
    await page.click('[data-testid="get-prompt"]');
    const get = await lastRequest('prompt/get');
    assert.deepEqual(get.params, { name: 'p', args: { style: `${XSS}\u202e` } });
    await reply(get.id, promptView('p', {
      description: XSS,
      messages: [
        { role: 'user', content: { type: 'text', text: `${XSS}\u202e\x1b[2J` } },
        { role: `<b>${XSS}</b>`, content: { type: 'image', mimeType: 'image/svg+xml', data: PNG } },
        { role: 'assistant', content: { type: 'resource_link', uri: 'javascript:window.__pwned=5', name: XSS } },
        { role: 'assistant', content: { type: 'image', mimeType: 'image/png', data: PNG } },
      ],
    }));
    await page.waitForSelector('[data-testid="prompt-messages"]');
    const rows = await page.$$eval('[data-testid="prompt-message"]', (els) => els.map((e) => (e as unknown as { innerText: string }).innerText));
    assert.equal(rows.length, 4);
    assert.ok(rows[0].includes(`${XSS}\\u202e\\x1b[2J`), rows[0]);
    assert.match(rows[1], /image of type "image\/svg\+xml" is not shown/);
    assert.match(await page.innerText('.res-detail'), /No completion: The server does not offer completions/);
    const dom = (await page.evaluate(DOM_PROBE)) as { pwned: unknown; onAttrs: string[]; scripts: number; foreign: string[]; imgs: string[] };
    assert.equal(dom.pwned, undefined);
    assert.deepEqual(dom.onAttrs, []);
    assert.deepEqual(dom.foreign, [], 'the javascript: link is text, not an <a>');
    assert.deepEqual(dom.imgs, [`data:image/png;base64,${PNG}`]);
  });
});
