/**
 * The App view panel's pure parts (webview-ui/app/frame.ts): the view's page gets its CSP first in
 * <head>, the theme and style variables come from the editor's, and only the host's messages are
 * taken as the host's — never the view frame's.
 */
import { strict as assert } from 'node:assert';
import { fromHost, pageWithCsp, styleVariables, themeOf } from '../../../webview-ui/app/frame';

describe('webview/app frame: the page, the theme, whose messages', () => {
  const CSP = "default-src 'none'; script-src 'unsafe-inline'";

  it('puts the CSP first in <head>, before any script of the view, escaped as an attribute', () => {
    const page = pageWithCsp('<!DOCTYPE html><html><head><script>1</script></head><body></body></html>', CSP);
    assert.match(page, /^<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;unsafe-inline&#39;"><script>1<\/script>/);
  });

  it('wraps a page without <head>, or with a script before it, in a head of its own', () => {
    assert.match(pageWithCsp('<p>hi</p>', CSP), /^<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy"[^>]+><\/head><body><p>hi<\/p>/);
    assert.match(pageWithCsp('<script>evil()</script><head></head>', CSP), /^<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy"/);
  });

  it('puts a prelude (the Apps SDK layer) right after the CSP, before the view\'s own scripts', () => {
    assert.match(pageWithCsp('<html><head><script>view()</script></head></html>', CSP, '<script>shim()</script>'), /<head><meta [^>]+><script>shim\(\)<\/script><script>view\(\)<\/script>/);
  });

  it("takes the theme from the editor's body classes", () => {
    assert.equal(themeOf('vscode-dark'), 'dark');
    assert.equal(themeOf('vscode-high-contrast'), 'dark');
    assert.equal(themeOf('vscode-high-contrast-light vscode-high-contrast'), 'light');
    assert.equal(themeOf('vscode-light'), 'light');
  });

  it("maps the editor's theme variables to the MCP Apps style variables, leaving out unset ones", () => {
    const vars = styleVariables((n) => ({ '--vscode-editor-background': ' #1e1e1e', '--vscode-editor-foreground': '#d4d4d4' })[n] ?? '');
    assert.deepEqual(vars, { '--color-background-primary': '#1e1e1e', '--color-text-primary': '#d4d4d4' });
  });

  it("takes the host's messages and never the view frame's or a frame inside it", () => {
    const top: { parent?: unknown } = {};
    top.parent = top;
    const editor = { parent: top };
    const panel = { parent: editor };
    const frame = { parent: panel };
    const nested = { parent: frame };
    assert.equal(fromHost(editor, frame), true, "an editor frame");
    assert.equal(fromHost(panel, frame), true, 'the panel itself');
    assert.equal(fromHost(null, frame), true, 'no source');
    assert.equal(fromHost({}, frame), true, 'a port');
    assert.equal(fromHost(frame, frame), false, 'the view');
    assert.equal(fromHost(nested, frame), false, 'a frame the view opened');
  });
});
