/**
 * What the Servers view shows under a server, decided from its state (no vscode): the tree adapter
 * (src/vscode/tree.ts) turns these into TreeItems. A server that is not connected is never an empty
 * node: it offers "Connect", and says why the last attempt failed.
 */
import { oneLine, plainText } from './serverInfo';
import type { ErrorCode } from '../shared/codes';

export type ServerState = 'disconnected' | 'connecting' | 'connected' | 'sign-in-required' | 'error';

/** The kinds of children a server node has, in order. */
export type ServerChild = 'serverInfo' | 'auth' | 'tools' | 'resources' | 'resourceTemplates' | 'prompts' | 'connect' | 'connecting' | 'lastError';

export interface ServerChildrenInput {
  state: ServerState;
  /** The session has an `initialize` result. */
  initialized: boolean;
  /** Discovery ran or a token is held (the Authorization node has something to show). */
  hasAuth: boolean;
  tools: number;
  resources: number;
  /** Resource templates listed (a server may offer templates and no fixed resources). */
  templates?: number;
  prompts: number;
  /** The last attempt's error code, when it failed. */
  errorCode?: ErrorCode;
}

/** Labels of the tree items that are ours (a UI test looks for them). */
export const CONNECT_LABEL = 'Connect';
export const CONNECTING_LABEL = 'Connecting…';
export const LAST_ERROR_LABEL = 'Last error';
export const SERVER_INFO_LABEL = 'Server';
/** The groups under a connected server, by child kind. */
export const GROUP_LABELS = { resources: 'Resources', resourceTemplates: 'Resource Templates', prompts: 'Prompts' } as const;
export const LOAD_MORE_LABEL = 'Load more…';

export function serverChildren(i: ServerChildrenInput): ServerChild[] {
  if (i.state === 'connected') {
    const out: ServerChild[] = [];
    if (i.initialized) out.push('serverInfo');
    if (i.hasAuth) out.push('auth');
    if (i.tools) out.push('tools');
    if (i.resources) out.push('resources');
    if (i.templates) out.push('resourceTemplates');
    if (i.prompts) out.push('prompts');
    return out;
  }
  if (i.state === 'connecting') return i.hasAuth ? ['connecting', 'auth'] : ['connecting'];
  const out: ServerChild[] = ['connect'];
  if (i.errorCode && (i.state === 'error' || i.state === 'sign-in-required')) out.push('lastError');
  if (i.hasAuth) out.push('auth');
  return out;
}

/** The "Last error" row: the code and a short message on one line; the whole message as the tooltip. */
export function lastErrorRow(code: ErrorCode, message: string | undefined): { label: string; value: string; tooltip: string } {
  const text = message?.trim() ? message : 'no message';
  return { label: LAST_ERROR_LABEL, value: `${oneLine(code, 60)} — ${oneLine(text, 100)}`, tooltip: `${oneLine(code, 60)}\n${plainText(text, 2_000)}` };
}
