/**
 * What the host sends the Resources and Prompts panels (src/present/resourceView.ts): listings and
 * results from a hostile server checked field by field and capped — huge text cut with its length,
 * blobs inline only for the image types within the cap, malformed items kept as empty fields, too
 * many items counted, embedded blobs in prompts replaced by their size.
 */
import * as assert from 'node:assert/strict';
import { serverChildren } from '../../../src/present/serverTree';
import { blobOf, MAX_ITEMS, MAX_TEXT_CHARS, promptItems, promptView, readView, resourceItems, templateItems } from '../../../src/present/resourceView';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

describe('present/resourceView', () => {
  it('listings: fields of the wrong type are dropped, strings capped, prompt arguments kept by name', () => {
    assert.deepEqual(resourceItems([{ uri: 'x://a', name: 7, mimeType: ' Text/Plain ', description: 'd'.repeat(5000) }, 'junk', null]), [
      { uri: 'x://a', name: 'x://a', title: undefined, description: 'd'.repeat(4000), mimeType: 'text/plain' },
    ]);
    assert.deepEqual(templateItems([{ uriTemplate: 'x://t/{id}', name: 't' }]), [{ uriTemplate: 'x://t/{id}', name: 't', title: undefined, description: undefined, mimeType: undefined }]);
    assert.deepEqual(promptItems([{ name: 'p', arguments: [{ name: 'a', required: true }, { description: 'no name' }, 'x'] }])[0].arguments, [{ name: 'a', description: undefined, required: true }]);
  });

  it('read: text over the cap is cut and counted; a png inline; an SVG, a PDF and bad base64 as size only', () => {
    const huge = 'y'.repeat(MAX_TEXT_CHARS + 5);
    const v = readView('x://r', {
      contents: [
        { uri: 'x://r', mimeType: 'text/plain', text: huge },
        { uri: 'x://i', mimeType: 'image/png', blob: PNG },
        { uri: 'x://s', mimeType: 'image/svg+xml', blob: PNG },
        { uri: 'x://p', mimeType: 'application/pdf', blob: 'AAAA' },
        { uri: 'x://bad', mimeType: 'image/png', blob: 'not base64!' },
      ],
    }, 5);
    const [t, i, s, p, bad] = v.contents;
    assert.ok(t.kind === 'text' && t.text.length === MAX_TEXT_CHARS && t.totalChars === MAX_TEXT_CHARS + 5 && t.truncated);
    assert.deepEqual(i, { kind: 'blob', uri: 'x://i', mimeType: 'image/png', bytes: 70, data: PNG, index: 1 });
    assert.ok(s.kind === 'blob' && s.data === undefined);
    assert.deepEqual(p, { kind: 'blob', uri: 'x://p', mimeType: 'application/pdf', bytes: 3, data: undefined, index: 3 });
    assert.ok(bad.kind === 'blob' && bad.data === undefined);
    assert.equal(v.at, 5);
  });

  it('read: too many items are counted, not sent; a result without contents is empty', () => {
    const many = readView('x://r', { contents: Array.from({ length: MAX_ITEMS + 3 }, () => ({ uri: 'x://r', text: 'a' })) }, 0);
    assert.equal(many.contents.length, MAX_ITEMS);
    assert.equal(many.droppedItems, 3);
    assert.deepEqual(readView('x://r', { nope: 1 }, 0).contents, []);
  });

  it('blobOf decodes a valid blob for Save and refuses anything else', () => {
    const b = blobOf({ contents: [{ uri: 'x://i', mimeType: 'image/png', blob: PNG }] }, 0);
    assert.equal(b?.bytes.length, 70);
    assert.equal(blobOf({ contents: [{ text: 'hi' }] }, 0), undefined);
    assert.equal(blobOf({ contents: [] }, 3), undefined);
  });

  it('prompt: messages by role, huge text cut, embedded blobs and oversized images dropped to their size', () => {
    const v = promptView('p', {
      description: 'desc',
      messages: [
        { role: 'user', content: { type: 'text', text: 'z'.repeat(MAX_TEXT_CHARS + 1) } },
        { role: 'assistant', content: { type: 'resource', resource: { uri: 'x://b', blob: 'AAAA' } } },
        { content: { type: 'text', text: 'no role' } },
      ],
    });
    assert.equal(v.description, 'desc');
    assert.match((v.messages[0].content as { text: string }).text, /… \(cut: 524289 characters\)$/);
    assert.deepEqual((v.messages[1].content as { resource: unknown }).resource, { uri: 'x://b', blob: '', blobBytes: 3 });
    assert.equal(v.messages[2].role, '(no role)');
  });

  it('the tree: a Resource Templates group when the server lists templates, even with no fixed resources', () => {
    const base = { state: 'connected' as const, initialized: true, hasAuth: false, tools: 0, resources: 0, prompts: 1 };
    assert.deepEqual(serverChildren({ ...base, templates: 1 }), ['serverInfo', 'resourceTemplates', 'prompts']);
    assert.deepEqual(serverChildren({ ...base, resources: 2, templates: 0 }), ['serverInfo', 'resources', 'prompts']);
  });
});
