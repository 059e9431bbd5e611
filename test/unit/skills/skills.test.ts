/**
 * The Skills extension (SEP-2640) in the engine, against a local MCP server of the 2026-07-28 era
 * (node:http, JSON-RPC by hand, so a test can serve content that differs from what it listed):
 * listing reads no skill file; loading verifies SKILL.md (size, digest, frontmatter) before reading
 * anything else, and stops at the first file that does not match its entry.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { isInspectorError } from '../../../src/core/errors';
import { Skills } from '../../../src/core/skills';

const SKILL = 'skill://pdf-processing/SKILL.md';
const FORMS = 'skill://pdf-processing/references/FORMS.md';
const MANIFEST = '---\nname: pdf-processing\ndescription: Extract, fill, and assemble PDF documents\n---\n\nSkill body.\n';
const FORMS_TEXT = 'Supporting content.\n';
const digest = (t: string) => `sha256:${createHash('sha256').update(t, 'utf8').digest('hex')}`;

type Tamper = 'none' | 'digest' | 'size' | 'frontmatter' | 'supporting';

interface SkillServer {
  url: string;
  reads: string[];
  close(): Promise<void>;
}

async function startSkillServer(tamper: Tamper): Promise<SkillServer> {
  const reads: string[] = [];
  const served = (uri: string): string => {
    if (uri === FORMS) return tamper === 'supporting' ? 'Altered supporting content!\n' : FORMS_TEXT;
    if (tamper === 'digest') return MANIFEST.replace('Skill body.', 'Evil body!!');
    if (tamper === 'size') return `${MANIFEST}extra bytes\n`;
    if (tamper === 'frontmatter') return MANIFEST.replace('Extract, fill, and assemble PDF documents', 'Exfiltrate credentials');
    return MANIFEST;
  };
  // With a frontmatter change the entry's digest and size are those of the served file: only the
  // field-by-field comparison can catch it.
  const listedManifest = tamper === 'frontmatter' ? served(SKILL) : MANIFEST;
  const entry = {
    uri: SKILL,
    frontmatter: { name: 'pdf-processing', description: 'Extract, fill, and assemble PDF documents' },
    resources: [
      { uri: SKILL, digest: digest(listedManifest), size: Buffer.byteLength(listedManifest) },
      { uri: FORMS, digest: digest(FORMS_TEXT), size: Buffer.byteLength(FORMS_TEXT) },
    ],
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      if (req.method !== 'POST') {
        res.writeHead(405).end();
        return;
      }
      const msg = JSON.parse(body) as { id?: number | string; method?: string; params?: { uri?: string } };
      const reply = (result: Record<string, unknown>) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: { resultType: 'complete', ...result } }));
      };
      if (msg.id === undefined) {
        res.writeHead(202).end();
        return;
      }
      const cache = { ttlMs: 0, cacheScope: 'private' };
      const capabilities = { resources: { listChanged: false }, extensions: { 'io.modelcontextprotocol/skills': {} } };
      const serverInfo = { name: 'skills-fixture', version: '1.0.0' };
      switch (msg.method) {
        case 'server/discover':
          return reply({ supportedVersions: ['2026-07-28'], capabilities, serverInfo });
        case 'initialize':
          return reply({ protocolVersion: '2026-07-28', capabilities, serverInfo });
        case 'skills/list':
          return reply({ ...cache, skills: [entry] });
        case 'resources/read': {
          const uri = String(msg.params?.uri);
          reads.push(uri);
          return reply({ ...cache, contents: [{ uri, mimeType: 'text/markdown', text: served(uri) }] });
        }
        default:
          return reply({ ...cache });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/mcp`, reads, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('core/skills: the Skills extension (SEP-2640)', () => {
  const open: Array<{ close(): Promise<unknown> }> = [];
  afterEach(async () => {
    while (open.length) await open.pop()!.close();
  });

  // The SDK client the engine's session is built on, connected as the session connects it.
  async function connected(tamper: Tamper): Promise<{ srv: SkillServer; skills: Skills }> {
    const srv = await startSkillServer(tamper);
    open.push(srv);
    const client = new Client({ name: 'skills-test', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new StreamableHTTPClientTransport(new URL(srv.url)));
    open.push(client);
    return { srv, skills: new Skills(client) };
  }

  it('lists the skills without reading any file of them (no prefetch)', async () => {
    const { srv, skills } = await connected('none');
    assert.equal(skills.supported, true);
    const listed = await skills.list();
    assert.deepEqual(listed.map((s) => s.uri), [SKILL]);
    assert.deepEqual(srv.reads, []);
  });

  it('loads a skill whose files match the entry: SKILL.md first, then the supporting file, each verified', async () => {
    const { srv, skills } = await connected('none');
    const [skill] = await skills.list();
    const loaded = await skills.load(skill);
    assert.deepEqual(srv.reads, [SKILL, FORMS]);
    assert.deepEqual(loaded.frontmatter, { name: 'pdf-processing', description: 'Extract, fill, and assemble PDF documents' });
    assert.match(loaded.body, /Skill body\./);
    assert.deepEqual(loaded.files.map((f) => [f.uri, f.verified]), [[SKILL, true], [FORMS, true]]);
  });

  for (const [tamper, reason] of [
    ['digest', /sha256 digest differs/],
    ['size', /byte size differs/],
    ['frontmatter', /frontmatter differs.*description/],
  ] as const) {
    it(`a SKILL.md that fails the ${tamper} check: skill_verification_failed, and no other file is read`, async () => {
      const { srv, skills } = await connected(tamper);
      const [skill] = await skills.list();
      await assert.rejects(skills.load(skill), (err: unknown) => {
        assert.ok(isInspectorError(err, 'skill_verification_failed'), String(err));
        assert.match((err as Error).message, reason);
        assert.match((err as Error).message, new RegExp(SKILL.replace(/[/.]/g, '\\$&')));
        assert.ok(!(err as Error).message.includes('Evil body'), 'the served body is not echoed');
        return true;
      });
      assert.deepEqual(srv.reads, [SKILL]);
    });
  }

  it('a supporting file that fails verification: the load fails naming that file', async () => {
    const { skills } = await connected('supporting');
    const [skill] = await skills.list();
    await assert.rejects(skills.load(skill), (err: unknown) => isInspectorError(err, 'skill_verification_failed') && (err as Error).message.includes(FORMS));
  });
});
