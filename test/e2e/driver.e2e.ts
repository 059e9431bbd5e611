/**
 * Checks the driver's own steps against built-in parts of the workbench, so later issues can rely
 * on them: a quick pick, an input box, a tree item, a webview's content frame.
 */
import * as assert from 'node:assert/strict';
import pkg from '../../package.json';
import { useDriver } from './driver';

describe('e2e driver steps (built-in workbench UI)', function () {
  this.timeout(60_000);
  // the opened folder is a fresh temporary one named "workspace" (its Explorer view title)
  const driver = useDriver({ workspaceFiles: { 'NOTES.md': '# Hello from the e2e driver\n\nA paragraph.\n' } });

  it('finds a tree item in a view and opens it', async () => {
    const d = driver();
    const item = d.treeItem('NOTES.md', { view: 'workspace' });
    await item.waitFor({ state: 'visible', timeout: 15_000 });
    await item.click();
    await d.page.locator('.tabs-container .tab.active', { hasText: 'NOTES.md' }).waitFor({ state: 'visible', timeout: 15_000 });
  });

  it('reads a webview through its nested frames (Markdown preview)', async () => {
    const d = driver();
    await d.runCommand('Markdown: Open Preview to the Side');
    const h1 = d.webview().locator('h1', { hasText: 'Hello from the e2e driver' });
    await h1.waitFor({ state: 'visible', timeout: 20_000 });
    assert.equal((await h1.innerText()).trim(), 'Hello from the e2e driver');
    await d.screenshot('driver-webview-markdown-preview');
  });

  it('picks from a quick pick and fills an input box', async () => {
    const d = driver();
    await d.runCommand('Snippets: Configure Snippets');
    await d.quickPick('New Global Snippets file...');
    await d.inputBox('e2e-driver', { prompt: /snippet file name/i });
    await d.page.locator('.tabs-container .tab.active', { hasText: 'e2e-driver.code-snippets' }).waitFor({ state: 'visible', timeout: 15_000 });
    await d.screenshot('driver-quickpick-inputbox');
  });

  // The extension's own commands from the palette, in the same workbench (one start-up less).
  describe('command palette', () => {
    it('runs "MCP Inspector: About" and shows the version in a notification', async () => {
      const d = driver();
      await d.runCommand('MCP Inspector: About');
      const text = await d.waitForNotification(/MCP OAuth Inspector .* engine ready/);
      assert.equal(text, `MCP OAuth Inspector ${pkg.version} — engine ready`);
      await d.screenshot('palette-about');
    });

    it('runs "MCP Inspector: Show Log" and shows the log channel with the activation line', async () => {
      const d = driver();
      await d.runCommand('MCP Inspector: Show Log');
      const panel = d.page.locator('.part.panel');
      // the Output view selects our channel and renders its lines in an editor
      await panel.locator('.monaco-editor .view-lines', { hasText: `MCP OAuth Inspector ${pkg.version} activated` }).waitFor({ state: 'visible', timeout: 15_000 });
      await d.screenshot('palette-show-log');
    });
  });
});
