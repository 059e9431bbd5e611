// The CLI's resources, read, prompts and get-prompt: against the local two-era fixture through the
// bundled CLI (as in cli.test.ts), and the renderers with hostile values (controls and bidi escaped,
// one line per line of ours, a blob as its size, never its bytes).
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { blobBytes, promptArgs, promptHuman, readHuman, resourcesHuman } from '../../../src/cli/resources';
import { startResourceServer, type ResourceFixture } from '../../fixtures/resourceServer';

const ROOT = new URL('../../../', import.meta.url).pathname;
let dir: string;
let cli: string;

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH ?? '', HOME: dir }, timeout: 15_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: unknown }).code as number | null) : 0;
      resolve({ code: typeof code === 'number' ? code : null, stdout, stderr });
    });
  });
}

describe('CLI: resources, read, prompts, get-prompt', function () {
  this.timeout(30_000);
  let fx: ResourceFixture;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mcp-cli-res-'));
    cli = join(dir, 'cli.js');
    await esbuild.build({ absWorkingDir: ROOT, entryPoints: ['src/cli/main.ts'], outfile: cli, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'silent' });
    fx = await startResourceServer({ items: 5 });
  });
  after(async () => {
    await fx?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('resources: a cut list says more and names the cursor; --cursor goes on; --json carries nextCursor and the templates', async () => {
    const r = await run(['resources', fx.url.href, '--max-pages', '2']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Resources \(4\+\)\n {2}fx:\/\/counter {2}text\/plain/);
    assert.match(r.stdout, /… more: the server has further pages; go on with --cursor 4/);
    assert.match(r.stdout, /Resource templates \(1\)\n {2}fx:\/\/things\/\{id\} {2}application\/json {2}— thing/);
    const next = await run(['resources', fx.url.href, '--cursor', '4', '--json']);
    const j = JSON.parse(next.stdout) as { resources: Array<{ uri: string }>; nextCursor?: string; resourceTemplates: unknown[] };
    assert.deepEqual(j.resources.map((x) => x.uri), ['fx://item/2', 'fx://item/3', 'fx://item/4', 'fx://item/5']);
    assert.equal(j.nextCursor, undefined);
    assert.equal(j.resourceTemplates.length, 1);
  });

  it('read: text shown as text with its MIME type, a blob as its size; get-prompt: messages by role and type; bad --args is a usage error', async () => {
    const t = await run(['read', fx.url.href, 'fx://markup']);
    assert.equal(t.code, 0, t.stderr);
    assert.equal(t.stdout, '── fx://markup (text/html)\n<script>alert(1)</script><img src=x onerror=alert(2)>\n');
    const b = await run(['read', fx.url.href, 'fx://image.png']);
    assert.match(b.stdout, /\[binary, 70 bytes — use --json for the base64\]/);
    const p = await run(['prompts', fx.url.href]);
    assert.match(p.stdout, /Prompts \(1\)\n {2}greet\(name\) {2}— Greets someone/);
    const g = await run(['get-prompt', fx.url.href, 'greet', '--args', '{"name":"Ada"}']);
    assert.equal(g.code, 0, g.stderr);
    assert.match(g.stdout, /\[user\] text\nSay hello to Ada\n\[assistant\] image\n {2}image image\/png, 70 bytes\n\[assistant\] resource\n {2}fx:\/\/counter \(text\/plain\)\ncount 0/);
    const bad = await run(['get-prompt', fx.url.href, 'greet', '--args', '{"name":1}']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /prompt argument "name" must be a string/);
  });

  it('renderers escape what a hostile server sends: controls, bidi, forged lines; a blob disguised as text stays escaped text', () => {
    const out = resourcesHuman({ items: [{ uri: 'x://a\n[ok] signed in', name: 'n\u202eevil', mimeType: 'text/\x1b[31mred' }] }, { items: [] });
    assert.ok(!out.includes('\x1b') && !out.includes('\u202e'));
    assert.equal(out.split('\n').length, 4, 'one line per resource: a newline in the URI cannot forge a line');
    const read = readHuman({ contents: [{ uri: 'x://bin', mimeType: 'text/plain', text: 'PNG\x00\x01\x1b]52;c;AAAA\x07' }] });
    assert.equal(read, '── x://bin (text/plain)\nPNG\\x00\\x01\\x1b]52;c;AAAA\\x07\n');
    const prompt = promptHuman({ messages: [{ role: 'user', content: { type: 'text', text: 'a\rb\u2066' } }, { role: 'assistant', content: { type: 'audio', data: 'AAAA', mimeType: 'audio/wav' } }] } as never);
    assert.equal(prompt, '[user] text\na\\rb\\u2066\n[assistant] audio\n  audio audio/wav, 3 bytes\n');
    assert.equal(blobBytes('iVBORw=='), 4);
    assert.deepEqual(promptArgs('{"a":"1"}'), { a: '1' });
    assert.throws(() => promptArgs('[1]'), /JSON object/);
  });
});
