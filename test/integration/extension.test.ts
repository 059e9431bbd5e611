import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import pkg from '../../package.json';

const EXTENSION_ID = `${pkg.publisher}.${pkg.name}`;
/** Every command the extension contributes: registered with a handler, and contributed in package.json. */
const OWN_COMMANDS = [
  'mcpOAuthInspector.connect',
  'mcpOAuthInspector.disconnect',
  'mcpOAuthInspector.signOut',
  'mcpOAuthInspector.forgetClient',
  'mcpOAuthInspector.refreshToken',
  'mcpOAuthInspector.inspectToken',
  'mcpOAuthInspector.callTool',
  'mcpOAuthInspector.showFlow',
  'mcpOAuthInspector.auditServer',
  'mcpOAuthInspector.showLog',
  'mcpOAuthInspector.importServers',
  'mcpOAuthInspector.removeServer',
  'mcpOAuthInspector.refreshServers',
  'mcpOAuthInspector.about',
];

describe('extension in a real VS Code host', () => {
  let ext: vscode.Extension<unknown>;

  before(async () => {
    const found = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(found, `extension ${EXTENSION_ID} is not loaded in this host`);
    ext = found;
    await ext.activate();
  });

  it('is present and activates', () => {
    assert.equal(ext.id.toLowerCase(), EXTENSION_ID.toLowerCase());
    assert.equal(ext.isActive, true);
    assert.equal(ext.packageJSON.version, pkg.version);
  });

  it('contributes no "*" activation event', () => {
    const events: string[] = ext.packageJSON.activationEvents ?? [];
    assert.ok(!events.includes('*'), `activationEvents: ${JSON.stringify(events)}`);
  });

  it("redirects through asExternalUri by default: redirectMode's default is 'auto' (external in remote and browser-based editors)", () => {
    const inspected = vscode.workspace.getConfiguration('mcpOAuthInspector').inspect<string>('redirectMode');
    assert.equal(inspected?.defaultValue, 'auto');
  });

  it('registers its commands', async () => {
    const all = new Set(await vscode.commands.getCommands(true));
    for (const id of OWN_COMMANDS) assert.ok(all.has(id), `${id} is not registered`);
    const contributed = new Set(((ext.packageJSON.contributes?.commands ?? []) as { command: string }[]).map((c) => c.command));
    for (const id of OWN_COMMANDS) assert.ok(contributed.has(id), `${id} is not contributed in package.json`);
  });

  it('registers a handler for every contributed command', async () => {
    const all = new Set(await vscode.commands.getCommands(true));
    const contributed: { command: string }[] = ext.packageJSON.contributes?.commands ?? [];
    const missing = contributed.map((c) => c.command).filter((id) => !all.has(id));
    assert.deepEqual(missing, [], 'contributed in package.json but no handler registered');
  });

  it('executes "MCP Inspector: About"', async () => {
    const text = await vscode.commands.executeCommand<string>('mcpOAuthInspector.about');
    assert.equal(text, `MCP OAuth Inspector ${pkg.version} — engine ready`);
  });

  it('executes "MCP Inspector: Show Log"', async () => {
    await vscode.commands.executeCommand('mcpOAuthInspector.showLog');
  });
});
