/**
 * What every headless-Chromium panel test needs: the panels' bundle and stylesheet as the VSIX
 * ships them, and a browser with a profile of its own (removed when the browser closes).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The webview bundle built from `webview-ui/<entry…>` (default the panels' main.ts) and media/webview.css. */
export async function buildPanelBundle(...entry: string[]): Promise<{ bundle: string; css: string }> {
  const built = await esbuild.build({ entryPoints: [join(root, 'webview-ui', ...(entry.length ? entry : ['main.ts']))], bundle: true, write: false, platform: 'browser', format: 'iife', target: 'es2022', logLevel: 'silent' });
  return { bundle: built.outputFiles[0].text, css: readFileSync(join(root, 'media', 'webview.css'), 'utf8') };
}

/** Headless Chromium with its own config and cache folders under a temp dir named after `prefix`. */
export async function launchPanelBrowser(prefix: string): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), prefix));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    env: { ...process.env, XDG_CONFIG_HOME: join(profile, 'config'), XDG_CACHE_HOME: join(profile, 'cache') },
  });
  browser.on('disconnected', () => rmSync(profile, { recursive: true, force: true }));
  return browser;
}
