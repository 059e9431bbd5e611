/**
 * The webview panels in the real workbench, against the demo (auto-approving sign-in, headless
 * authorization in the extension): tools, token and OAuth flow panels open for a server and show
 * its state. Later tests in this file drive each panel's controls.
 */
import { startDemo, type DemoHandle } from '../../demo/index';
import { useDriver, type Driver } from './driver';

const STEP_MS = 15_000;

/** Connect from the palette with automatic registration and no extra scopes. */
export async function connectFromPalette(d: Driver, url: string): Promise<void> {
  await d.runCommand('MCP Inspector: Connect to Server');
  await d.inputBox(url, { prompt: 'The MCP server URL' });
  await d.quickPick('Automatic');
  await d.inputBox('', { prompt: 'Space-separated scopes' });
}

describe('webview panels (real workbench in Chromium, demo server)', function () {
  this.timeout(90_000);

  let demo: DemoHandle | undefined;
  before(async () => {
    demo = await startDemo({ port: 0, asPort: 0, autoApprove: true });
  });
  after(async () => {
    await demo?.close();
  });

  const driver = useDriver({
    settings: { 'mcpOAuthInspector.authorizationMode': 'headless', 'remote.autoForwardPorts': false },
    viewport: { width: 1280, height: 800 },
  });

  it('opens the OAuth flow panel for a signed-in server and lists the steps', async () => {
    const d = driver();
    await connectFromPalette(d, demo!.mcpUrl);
    await d.page.locator('.monaco-list-row[role="treeitem"]', { hasText: 'connected · signed in' }).first().waitFor({ state: 'visible', timeout: STEP_MS });
    await d.runCommand('MCP Inspector: Show OAuth Flow');
    const frame = d.webview();
    await frame.locator('li[data-step="protected resource metadata"]').first().waitFor({ state: 'visible', timeout: STEP_MS });
    await d.screenshot('panel-flow-smoke');
  });
});
