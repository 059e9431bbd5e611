/**
 * Server logs, ping and a pasted token in the installed VSIX (code-server in headless Chromium),
 * against the demo's per-tool server (/mcp-mixed; auto-approving sign-in, DPoP off so its tokens
 * are plain Bearer tokens a person could paste):
 *  - "Ping Server" shows a round-trip time in a notification and on the Server node;
 *  - "Set Server Log Level" (the demo speaks 2026-07-28: the level goes in each request's _meta);
 *  - "Use Access Token…" with a token the test got from the demo's authorization server headlessly
 *    (through the engine, as a person would from another tool): the token panel opens on it, and a
 *    whoami call answers with that token's identity — no sign-in by the extension;
 *  - the call's log message lands in the server's output channel ("MCP Inspector: <server> log")
 *    and in the message log;
 *  - a token for another audience is stopped by a modal naming both; "Use Anyway" marks the
 *    requests that carry it in the log.
 * The pasted tokens are in no log the extension wrote.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { createConnection } from '../../src/core/connection';
import { MemorySecretStore } from '../../src/core/memorySecretStore';
import { waitFor } from '../integration/codeServerHost';
import { useDemo } from './demo';
import { useDriver, type Driver } from './driver';

const STEP_MS = 20_000;
const serverName = (url: string) => `${new URL(url).host}${new URL(url).pathname}`;

/** The text of the extension's plain output channels named "MCP Inspector: … log" (written to disk by the host). */
function serverLogChannelText(d: Driver): string {
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 5 || !existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p, depth + 1);
      else if (/MCP Inspector.* log\.log$/.test(e.name)) out.push(readFileSync(p, 'utf8'));
    }
  };
  walk(join(d.host.tmp, 'user-data', 'logs'), 0);
  return out.join('\n');
}

function filesNamed(dir: string, name: string, depth = 0): string[] {
  if (depth > 4 || !existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesNamed(join(dir, e.name), name, depth + 1) : e.name === name ? [join(dir, e.name)] : []));
}

describe('Server logs, ping and a pasted token (installed VSIX in Chromium)', function () {
  this.timeout(150_000);
  // One server in the store: every command below is about it without asking "Which server?" (the
  // quick input that opens is the command's own).
  const demo = useDemo({ autoApprove: true, dpop: false });
  const driver = useDriver({ settings: { 'mcpOAuthInspector.authorizationMode': 'headless' }, viewport: { width: 1400, height: 900 } });
  const tokens: string[] = [];

  it('connects and Ping Server shows a round-trip time in a notification and on the Server node', async () => {
    const d = driver();
    await d.connectToServer(demo().mixedUrl);
    await d.treeItem('connected · anonymous').waitFor({ state: 'visible', timeout: STEP_MS });
    await d.runCommand('MCP Inspector: Ping Server');
    const text = await d.waitForNotification(/answered in [\d.]+ ms/);
    assert.match(text, /answered in [\d.]+ ms \((ping|server\/discover)\)/);
    await d.treeItem(/Server.*ping [\d.]+ ms/).waitFor({ state: 'visible', timeout: STEP_MS });
  });

  it('Set Server Log Level: the level is taken (2026-07-28: sent with each request)', async () => {
    const d = driver();
    await d.runCommand('MCP Inspector: Set Server Log Level');
    await d.quickPick(/^debug/);
    await d.waitForNotification(/level (set to )?debug/);
  });

  it('Use Access Token… with a token from the demo AS: the token panel inspects it, and whoami is answered with its identity without a sign-in', async () => {
    const d = driver();
    // a token got elsewhere: the engine signs in headlessly with the demo's pre-registered public client
    const other = createConnection({ serverUrl: demo().mixedUrl, secrets: new MemorySecretStore(), headless: true, client: { policy: 'preregistered', client_id: demo().preRegisteredClientId }, scopes: ['todos.read'] });
    await other.session.connect();
    await other.session.callTool('list_todos', {});
    const token = other.auth.tokens!.access_token;
    tokens.push(token);
    await other.close();

    await d.runCommand('MCP Inspector: Use Access Token…');
    await d.inputBox(token, { prompt: 'Paste the access token' });
    await d.inputBox('', { prompt: 'Paste a refresh token' });
    const panel = await d.panel(`Token — ${serverName(demo().mixedUrl)}`);
    await panel.locator('body', { hasText: /todos\.read/ }).waitFor({ state: 'visible', timeout: STEP_MS });
    assert.doesNotMatch(await panel.locator('body').innerText(), new RegExp(token.slice(10, 40).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'the panel never shows the token');

    await d.runCommand('MCP Inspector: Call Tool');
    await d.quickPick('whoami');
    const tools = await d.panel(`Tools — ${serverName(demo().mixedUrl)}`);
    await tools.locator('li[data-tool="whoami"][aria-selected="true"]').waitFor({ state: 'visible', timeout: STEP_MS });
    await tools.getByRole('button', { name: 'Send' }).first().click();
    const result = tools.locator('article[data-testid="result"]').last();
    await result.waitFor({ state: 'visible', timeout: STEP_MS });
    await waitFor('the whoami result with the token identity', async () => ((await result.innerText()).includes('todos.read') ? true : undefined), { timeoutMs: STEP_MS });
    assert.match(d.extensionLog(), /using a user-supplied access token/);
  });

  it("the call's log message is in the server's output channel and in the message log", async () => {
    const d = driver();
    const line = await waitFor('the whoami log line in the server log channel', async () => {
      const text = serverLogChannelText(d);
      return /\[info\] todo-demo: \{"tool":"whoami"/.test(text) ? text : undefined;
    }, { timeoutMs: STEP_MS });
    assert.doesNotMatch(line, /"user":"anonymous"/, 'the call was made with the pasted token');
    await d.runCommand('MCP Inspector: Show Messages');
    await d.pickIfAsked(serverName(demo().mixedUrl));
    const panel = await d.panel(`MCP messages — ${serverName(demo().mixedUrl)}`);
    await panel.locator('[data-testid="message-row"]', { hasText: 'notifications/message' }).first().waitFor({ state: 'visible', timeout: STEP_MS });
    await d.screenshot('server-logs');
  });

  it('a token for another audience: a modal names it and the resource; "Use Anyway" marks the requests that carry it', async () => {
    const d = driver();
    const foreign = await new SignJWT({ aud: 'https://api.other.example/', sub: 'someone' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode('k'.repeat(32)));
    tokens.push(foreign);
    await d.runCommand('MCP Inspector: Use Access Token…');
    await d.inputBox(foreign, { prompt: 'Paste the access token' });
    await d.inputBox('', { prompt: 'Paste a refresh token' });
    const dialog = d.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: STEP_MS });
    const said = await dialog.innerText();
    assert.match(said, /another resource/);
    assert.match(said, /https:\/\/api\.other\.example\//);
    assert.ok(said.includes(demo().mixedUrl), said);
    await dialog.getByRole('button', { name: 'Use Anyway' }).click();
    // the token panel inspects it at once: its audience check fails, naming both
    const panel = await d.panel(`Token — ${serverName(demo().mixedUrl)}`);
    await panel.locator('body', { hasText: 'audience is "https://api.other.example/" but this token is used for' }).waitFor({ state: 'visible', timeout: STEP_MS });
    await d.runCommand('MCP Inspector: Ping Server');
    await waitFor('the mark in the log', async () => (/user-supplied token, audience mismatch accepted/.test(d.extensionLog()) ? true : undefined), { timeoutMs: STEP_MS });
  });

  it('no pasted token is in any log the extension wrote (its own channel, the server log channel) or in a settings file', () => {
    const d = driver();
    const logs = `${d.extensionLog()}\n${serverLogChannelText(d)}`;
    assert.equal(tokens.length, 2);
    for (const t of tokens) assert.ok(!logs.includes(t), 'a pasted token is in a log');
    const settings = [...filesNamed(join(d.host.tmp, 'user-data'), 'settings.json'), ...filesNamed(d.host.folder, 'settings.json')];
    assert.ok(settings.length > 0, 'the user settings file was found');
    for (const f of settings) for (const t of tokens) assert.ok(!readFileSync(f, 'utf8').includes(t), `a pasted token is in ${f}`);
  });
});
