import * as vscode from 'vscode';
import type { RegistrationPolicy } from '../core/oauth/registration';
import { upsertInPlace } from '../present/servers';

/**
 * The list of servers the user added: URLs and non-secret choices only, kept in globalState.
 * A client secret entered for a server goes to SecretStorage, never here.
 */
export interface ServerEntry {
  id: string;
  name: string;
  url: string;
  transport?: 'auto' | 'streamable-http' | 'sse';
  registration?: RegistrationPolicy;
  clientId?: string;
  scopes?: string[];
  /** Where it came from (Import Servers), for the tooltip. */
  source?: string;
}

const KEY = 'mcpOAuthInspector.servers';

export class ServerStore {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;

  private readonly sub: vscode.Disposable;

  constructor(private readonly state: vscode.Memento) {
    this.sub = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('mcpOAuthInspector.servers')) this.emitter.fire();
    });
  }

  /** Servers the user added (globalState), then those declared in the `mcpOAuthInspector.servers` setting. */
  all(): ServerEntry[] {
    const v = this.state.get<unknown>(KEY, []);
    const stored = Array.isArray(v) ? v.filter((e): e is ServerEntry => !!e && typeof e === 'object' && typeof (e as ServerEntry).id === 'string' && typeof (e as ServerEntry).url === 'string') : [];
    const ids = new Set(stored.map((e) => e.id));
    return [...stored, ...declaredServers().filter((e) => !ids.has(e.id))];
  }

  get(id: string): ServerEntry | undefined {
    return this.all().find((e) => e.id === id);
  }

  findByUrl(url: string): ServerEntry | undefined {
    return this.all().find((e) => e.url === url);
  }

  /** Add an entry at the end, or replace the one with its id where it is (the list keeps its order). */
  async upsert(entry: ServerEntry): Promise<void> {
    const list = upsertInPlace(this.all(), entry);
    await this.state.update(KEY, list);
    this.emitter.fire();
  }

  async remove(id: string): Promise<void> {
    await this.state.update(KEY, this.all().filter((e) => e.id !== id));
    this.emitter.fire();
  }

  dispose(): void {
    this.sub.dispose();
    this.emitter.dispose();
  }
}

export function serverIdFor(url: string): string {
  return url;
}

/**
 * Servers declared in settings (user or workspace: a team can share its server list). Only names
 * and URLs: anything else in the setting is ignored, and URLs are checked again on connect.
 */
function declaredServers(): ServerEntry[] {
  const v = vscode.workspace.getConfiguration('mcpOAuthInspector').get<unknown>('servers', []);
  if (!Array.isArray(v)) return [];
  const out: ServerEntry[] = [];
  for (const e of v.slice(0, 200)) {
    if (!e || typeof e !== 'object') continue;
    const { url, name } = e as { url?: unknown; name?: unknown };
    if (typeof url !== 'string') continue;
    try {
      const href = new URL(url).href;
      out.push({ id: serverIdFor(href), url: href, name: typeof name === 'string' && name.trim() ? name.slice(0, 100) : href, source: 'settings' });
    } catch {
      /* not a URL: ignored */
    }
  }
  return out;
}
