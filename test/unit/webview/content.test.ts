/**
 * Tool result parts as the tools panel shows them (webview-ui/content.ts) and which server URLs
 * may become links (webview-ui/links.ts), DOM-free: media only as base64 data: URIs of allowed
 * types, everything else as text; links only for https.
 */
import * as assert from 'node:assert/strict';
import { base64Bytes, classifyPart, cleanBase64, mediaDataUri, safeJson } from '../../../webview-ui/content';
import { httpsHref } from '../../../webview-ui/links';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

describe('webview/content: tool result parts', () => {
  it('text stays text, markup included', () => {
    assert.deepEqual(classifyPart({ type: 'text', text: '<script>alert(1)</script>' }), { kind: 'text', text: '<script>alert(1)</script>' });
    assert.deepEqual(classifyPart({ type: 'text', text: 42 }), { kind: 'text', text: '' }, 'a non-string text is no text');
  });

  it('images: png/jpeg/gif/webp become data: URIs from valid base64', () => {
    for (const mime of ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'IMAGE/PNG']) {
      const p = classifyPart({ type: 'image', mimeType: mime, data: PNG });
      assert.equal(p.kind, 'image');
      assert.equal((p as { src?: string }).src, `data:${mime.toLowerCase()};base64,${PNG}`);
    }
    const p = classifyPart({ type: 'image', mimeType: 'image/png', data: `${PNG.slice(0, 40)}\n${PNG.slice(40)}` });
    assert.equal((p as { src?: string }).src, `data:image/png;base64,${PNG}`, 'line breaks in base64 are dropped');
    assert.equal((p as { bytes: number }).bytes, 70);
  });

  it('refuses SVG, HTML and made-up image types, and anything that is not strict base64', () => {
    const refused: Array<[unknown, unknown]> = [
      ['image/svg+xml', PNG],
      ['text/html', PNG],
      ['image/png;charset=x', PNG],
      ['image/png', `${PNG}" onerror="alert(1)`],
      ['image/png', 'javascript:alert(1)'],
      ['image/png', 'AAA'],
      ['image/png', ''],
      ['image/png', 12],
      [undefined, PNG],
    ];
    for (const [mimeType, data] of refused) {
      const p = classifyPart({ type: 'image', mimeType, data }) as { src?: string; refused?: string };
      assert.equal(p.src, undefined, `${String(mimeType)} ${String(data).slice(0, 30)}`);
      assert.ok(p.refused, 'says why');
    }
  });

  it('audio: any audio/* type with valid base64; nothing else', () => {
    assert.equal((mediaDataUri('audio', 'audio/wav', 'UklGRg==') as { src: string }).src, 'data:audio/wav;base64,UklGRg==');
    assert.equal((mediaDataUri('audio', 'audio/mpeg', 'SUQz') as { src: string }).src, 'data:audio/mpeg;base64,SUQz');
    for (const t of ['video/mp4', 'audio/wav;base64,AAAA', 'audio/', 'audio/<script>', 'image/png']) {
      assert.ok('refused' in mediaDataUri('audio', t, 'UklGRg=='), t);
    }
  });

  it('embedded resources: text as text, blobs summarized', () => {
    assert.deepEqual(classifyPart({ type: 'resource', resource: { uri: 'file:///etc/passwd', mimeType: 'text/html', text: '<b>x</b>' } }), { kind: 'resource-text', uri: 'file:///etc/passwd', mimeType: 'text/html', text: '<b>x</b>' });
    assert.deepEqual(classifyPart({ type: 'resource', resource: { uri: 'mem://b', mimeType: 'application/octet-stream', blob: 'AAAA' } }), { kind: 'resource-blob', uri: 'mem://b', mimeType: 'application/octet-stream', bytes: 3 });
    assert.equal(classifyPart({ type: 'resource', resource: 'nope' }).kind, 'resource-blob');
    assert.equal((classifyPart({ type: 'resource', resource: { uri: 'u', blob: 'AAAA', blobBytes: 300000 } }) as { bytes: number }).bytes, 300000, 'the size noted by the host');
  });

  it('resource links keep their URI as data (the view links it only when https)', () => {
    const p = classifyPart({ type: 'resource_link', uri: 'javascript:alert(1)', name: '<img src=x onerror=alert(1)>', description: 'd' });
    assert.deepEqual(p, { kind: 'resource-link', uri: 'javascript:alert(1)', name: '<img src=x onerror=alert(1)>', title: undefined, description: 'd', mimeType: undefined });
  });

  it('unknown and malformed parts are shown as JSON', () => {
    assert.deepEqual(classifyPart({ type: 'hologram', x: '<script>' }), { kind: 'unknown', type: 'hologram', json: '{\n  "type": "hologram",\n  "x": "<script>"\n}' });
    assert.equal(classifyPart(null).kind, 'unknown');
    assert.equal(classifyPart('text').kind, 'unknown');
    const cyclic: Record<string, unknown> = { type: 'x' };
    cyclic.self = cyclic;
    assert.equal(classifyPart(cyclic).kind, 'unknown');
    assert.equal(safeJson(cyclic), '[object Object]');
  });

  it('base64 helpers', () => {
    assert.equal(cleanBase64(' QUJD \n'), 'QUJD');
    assert.equal(cleanBase64('QUJ'), undefined);
    assert.equal(cleanBase64('QU=D'), undefined);
    assert.equal(base64Bytes('QUJD'), 3);
    assert.equal(base64Bytes('QUI='), 2);
    assert.equal(base64Bytes('QQ=='), 1);
  });
});

describe('webview/links: only https becomes a link', () => {
  it('https URLs, parsed', () => {
    assert.equal(httpsHref('https://example.com/a?b=c#d'), 'https://example.com/a?b=c#d');
    assert.equal(httpsHref('HTTPS://EXAMPLE.com'), 'https://example.com/');
  });
  for (const url of [
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    '\u0000javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    'http://example.com/',
    'file:///etc/passwd',
    'command:workbench.action.terminal.new',
    'vscode://ms-vscode.remote/x',
    '//example.com/x',
    '/relative',
    'https://user:pass@evil.example/',
    'https://good.example@evil.example/',
  ]) {
    it(`not ${JSON.stringify(url)}`, () => assert.equal(httpsHref(url), undefined));
  }
  it('not a non-string or an over-long string', () => {
    assert.equal(httpsHref({ toString: () => 'https://example.com' }), undefined);
    assert.equal(httpsHref(`https://example.com/${'a'.repeat(9000)}`), undefined);
  });
});
