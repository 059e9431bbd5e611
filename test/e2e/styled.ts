/** Checks that a panel of the installed VSIX is styled by the stylesheet it ships (media/webview.css). */
import * as assert from 'node:assert/strict';
import type { FrameLocator } from 'playwright-core';

/**
 * The panel is styled by media/webview.css as shipped: real elements take the stylesheet's values,
 * not the browser's defaults (a bare page has bulleted, 40px-indented lists and square buttons).
 * `expect`: selector → computed property → value, each as written in webview.css.
 */
export async function assertStyled(frame: FrameLocator, where: string, expect: Record<string, Record<string, string>>): Promise<void> {
  const seen = (await frame.locator('body').evaluate((body, want) => {
    const win = body.ownerDocument.defaultView!;
    const out: Record<string, Record<string, string> | null> = {};
    for (const [sel, props] of Object.entries(want)) {
      const el = body.querySelector(sel);
      const cs = el ? win.getComputedStyle(el) : undefined;
      out[sel] = cs ? Object.fromEntries(Object.keys(props).map((p) => [p, cs.getPropertyValue(p)])) : null;
    }
    return { sheets: [...body.ownerDocument.styleSheets].map((s) => (s.href ?? '').replace(/^.*\/(media|dist)\//, '$1/')), out };
  }, expect)) as { sheets: string[]; out: Record<string, Record<string, string> | null> };
  assert.ok(seen.sheets.some((s) => s.startsWith('media/webview.css')), `${where}: the stylesheet is linked (${seen.sheets.join(', ')})`);
  assert.deepEqual(seen.out, expect, `${where}: computed styles of real elements are webview.css's`);
}
