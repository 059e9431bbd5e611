import * as vscode from 'vscode';
import type { SecretStore } from '../core/ports';

/**
 * The engine's SecretStore port over `context.secrets` — the only place tokens, client secrets and
 * registrations are kept. SecretStorage cannot list its keys, so an index of our keys is kept in
 * SecretStorage too (key names only, no values). `onDidChange` fires for changes made by any window,
 * so two windows stay in sync.
 */
const INDEX_KEY = 'mcp-oauth-inspector/index';

export class VSCodeSecretStore implements SecretStore, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<string>();
  readonly onDidChange = this.emitter.event;
  private readonly sub: vscode.Disposable;
  private indexWrite: Promise<void> = Promise.resolve();

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.sub = secrets.onDidChange((e) => this.emitter.fire(e.key));
  }

  get(key: string) {
    return Promise.resolve(this.secrets.get(key));
  }

  async store(key: string, value: string) {
    await this.secrets.store(key, value);
    await this.updateIndex((keys) => keys.add(key));
  }

  async delete(key: string) {
    await this.secrets.delete(key);
    await this.updateIndex((keys) => keys.delete(key));
  }

  async keys(prefix: string) {
    return [...(await this.readIndex())].filter((k) => k.startsWith(prefix));
  }

  private async readIndex(): Promise<Set<string>> {
    const raw = await this.secrets.get(INDEX_KEY);
    try {
      const v = raw ? (JSON.parse(raw) as unknown) : [];
      return new Set(Array.isArray(v) ? v.filter((k): k is string => typeof k === 'string') : []);
    } catch {
      return new Set();
    }
  }

  /** Index updates are serialised so concurrent stores do not lose keys. */
  private updateIndex(change: (keys: Set<string>) => void): Promise<void> {
    this.indexWrite = this.indexWrite.then(async () => {
      const keys = await this.readIndex();
      change(keys);
      await this.secrets.store(INDEX_KEY, JSON.stringify([...keys]));
    });
    return this.indexWrite;
  }

  dispose(): void {
    this.sub.dispose();
    this.emitter.dispose();
  }
}
