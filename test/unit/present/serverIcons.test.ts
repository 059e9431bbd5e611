/**
 * present/serverInfo serverIcons: which of a server's icons the tree shows. Only a raster data: image
 * whose bytes are what its type says, capped; https icons are listed, never fetched; SVG never shown.
 */
import { strict as assert } from 'node:assert';
import { initializeView, MAX_ICON_URI_CHARS, serverIcons, serverInfoRows } from '../../../src/present/serverInfo';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]).toString('base64');
const png = `data:image/png;base64,${PNG}`;

describe('present/serverInfo: the server icons', () => {
  it('shows the first raster data: image whose bytes match its type', () => {
    const r = serverIcons([{ src: 'https://cdn.example/icon.png', mimeType: 'image/png', sizes: ['48x48'] }, { src: png, sizes: ['16x16'] }]);
    assert.equal(r.iconDataUri, png);
    assert.equal(r.icons?.length, 2);
    assert.match(r.icons![0]!, /^image\/png, 48x48, https:\/\/cdn\.example\/icon\.png, not fetched: a remote image$/);
    assert.match(r.icons![1]!, /^image\/png, 16x16, data: \(1 KB\)$/);
  });

  it('never shows SVG, a mislabelled image, a non-base64 or an oversized one; lists them with the reason', () => {
    const svg = `data:image/svg+xml;base64,${Buffer.from('<svg onload="alert(1)"/>').toString('base64')}`;
    const fake = `data:image/png;base64,${Buffer.from('GIF89a-not-a-png').toString('base64')}`;
    const plain = 'data:image/png,%89PNG';
    const huge = `data:image/png;base64,${PNG}${'A'.repeat(MAX_ICON_URI_CHARS)}`;
    const r = serverIcons([{ src: svg }, { src: fake }, { src: plain }, { src: huge }, { src: 'javascript:alert(1)' }, { src: 42 }, 'x']);
    assert.equal(r.iconDataUri, undefined);
    assert.deepEqual(
      r.icons!.map((x) => x.split(', ').at(-1)),
      ['not shown: SVG', 'not shown: the bytes are not image/png', 'not shown: the bytes are not image/png', 'not shown: too large', 'not shown: not an https or data: URI'],
    );
  });

  it('the Server node lists the icons and the last ping as rows', () => {
    const v = initializeView({ protocolVersion: '2025-11-25', serverInfo: { name: 's', version: '1' }, capabilities: { logging: {} }, icons: [{ src: png }] })!;
    assert.equal(v.iconDataUri, png);
    const rows = serverInfoRows(v, { ping: { ms: 3.5, method: 'ping', at: 0 } });
    assert.deepEqual(rows.map((r) => r.label), ['Protocol version', 'Name', 'Capabilities', 'Instructions', 'Icons', 'Ping']);
    assert.equal(rows.at(-1)!.value, '3.5 ms (ping)');
    assert.equal(serverIcons(undefined).icons, undefined);
  });
});
