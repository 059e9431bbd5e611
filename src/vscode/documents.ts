import * as vscode from 'vscode';

/**
 * Read-only virtual documents for results, token reports and flow traces (`mcp-inspector:` URIs).
 * Content is plain text or Markdown source; nothing a server sent is executed or rendered as HTML.
 */
export const SCHEME = 'mcp-inspector';

export class InspectorDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly docs = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private counter = 0;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.toString()) ?? '';
  }

  /** Open (or update) a document named `name` with this content. */
  async show(name: string, content: string, language = 'markdown'): Promise<vscode.TextEditor> {
    const safe = name.replace(/[^\w.-]+/g, '-').slice(0, 80) || `doc-${++this.counter}`;
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${safe}.${language === 'markdown' ? 'md' : language === 'json' ? 'json' : 'txt'}` });
    // Cap what we hold: a hostile server's megabytes of output stay out of the editor.
    this.docs.set(uri.toString(), content.length > 2_000_000 ? `${content.slice(0, 2_000_000)}\n… [truncated]` : content);
    this.emitter.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, language);
    return vscode.window.showTextDocument(doc, { preview: true, preserveFocus: false });
  }

  get(name: string): string | undefined {
    for (const [k, v] of this.docs) if (k.includes(`/${name}`)) return v;
    return undefined;
  }

  dispose(): void {
    this.emitter.dispose();
    this.docs.clear();
  }
}
