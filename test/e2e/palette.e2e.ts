import * as assert from 'node:assert/strict';
import pkg from '../../package.json';
import { useDriver } from './driver';

describe('command palette (real workbench in Chromium)', function () {
  this.timeout(60_000);
  const driver = useDriver();

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
