import { RpcError } from './rpcError';
import type { CommandMethod, Commands, HostToWebview, NotificationMethod, Notifications, PanelState, RequestMethod, Requests } from '../src/shared/protocol';

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export { RpcError };

/** The webview's end of shared/protocol.ts: requests with replies, commands, notifications. */
export class Rpc {
  private readonly api = acquireVsCodeApi();
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: RpcError) => void }>();
  private readonly handlers = new Map<NotificationMethod, (p: never) => void>();

  constructor() {
    window.addEventListener('message', (ev: MessageEvent) => this.onMessage(ev.data as HostToWebview));
  }

  request<M extends RequestMethod>(method: M, params: Requests[M]['params']): Promise<Requests[M]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.api.postMessage({ type: 'request', id, method, params });
    });
  }

  command<M extends CommandMethod>(method: M, params: Commands[M]): void {
    this.api.postMessage({ type: 'command', method, params });
  }

  on<M extends NotificationMethod>(method: M, handler: (p: Notifications[M]) => void): void {
    this.handlers.set(method, handler as (p: never) => void);
  }

  getState(): Partial<PanelState> {
    const s = this.api.getState();
    return s && typeof s === 'object' ? (s as Partial<PanelState>) : {};
  }

  setState(s: PanelState): void {
    this.api.setState(s);
  }

  private onMessage(m: HostToWebview): void {
    if (!m || typeof m !== 'object') return;
    if (m.type === 'reply') {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new RpcError(m.error));
    } else if (m.type === 'notify') {
      this.handlers.get(m.method)?.(m.params as never);
    }
  }
}
