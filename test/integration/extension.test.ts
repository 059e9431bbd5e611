import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import pkg from '../../package.json';

const EXTENSION_ID = `${pkg.publisher}.${pkg.name}`;
const OWN_COMMANDS = ['mcpOAuthInspector.showLog', 'mcpOAuthInspector.about'];
/** Contributed in package.json before their handlers land; remove an id here when its command is implemented. */

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

  it('registers its commands', async () => {
    const all = new Set(await vscode.commands.getCommands(true));
    for (const id of OWN_COMMANDS) assert.ok(all.has(id), `${id} is not registered`);
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
