/**
 * What the Resources and Prompts panels exchange with the host (shared/protocol.ts names the methods;
 * the shapes and their parameter checks live here). No vscode, no DOM. Everything a server sent is
 * data to show as text; the host caps it before it crosses (src/present/resourceView.ts).
 *
 * The panel states carry the server bar's summary as a type parameter (protocol.ts supplies its
 * ServerSummary), so this module imports nothing from protocol.ts, which imports it.
 */

export interface ResourceItemView {
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
}

export interface TemplateItemView {
  uriTemplate: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
}

export interface PromptArgumentView {
  name: string;
  description?: string;
  required: boolean;
}

export interface PromptItemView {
  name: string;
  title?: string;
  description?: string;
  arguments: PromptArgumentView[];
}

/** Whether the server (and the negotiated era) offers a feature; `message` says why not. */
export interface FeatureSupport {
  supported: boolean;
  /** How (subscriptions: 'resources/subscribe' on the session era, 'subscriptions/listen' on 2026-07-28). */
  via?: string;
  message?: string;
}

export interface ResourcesState<Server> {
  server: Server;
  resources: ResourceItemView[];
  templates: TemplateItemView[];
  /** The server had more pages than the listing followed: "Load more" asks for the next run. */
  more: boolean;
  /** The resource URI or template the panel shows. */
  selected?: string;
  subscriptions: FeatureSupport;
  /** URIs this panel is subscribed to. */
  subscribed: string[];
  completions: FeatureSupport;
}

export interface PromptsState<Server> {
  server: Server;
  prompts: PromptItemView[];
  more: boolean;
  selected?: string;
  completions: FeatureSupport;
}

/** One item of a resources/read result, capped by the host. */
export type ResourceContentView =
  | { kind: 'text'; uri: string; mimeType?: string; text: string; totalChars: number; truncated: boolean }
  | {
      kind: 'blob';
      uri: string;
      mimeType?: string;
      bytes: number;
      /** The base64, only for the image types shown inline and within the cap; else undefined (size + Save). */
      data?: string;
      /** Which item of the read it is (Save names it, never bytes or a path). */
      index: number;
    };

export interface ResourceReadView {
  uri: string;
  /** Epoch ms of the read. */
  at: number;
  contents: ResourceContentView[];
  /** Items left out past the cap. */
  droppedItems: number;
}

export interface PromptMessageView {
  role: string;
  /** The content part as the server sent it (capped by the host); the webview classifies it (content.ts). */
  content: unknown;
}

export interface PromptGetView {
  name: string;
  description?: string;
  messages: PromptMessageView[];
  droppedMessages: number;
}

export interface CompletionView {
  values: string[];
  total?: number;
  hasMore?: boolean;
  /** Set when the server does not offer completions. */
  unsupported?: string;
}

const MAX_URI = 4096;
const MAX_ARGS = 32;
const MAX_VALUE = 4096;

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const isUri = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_URI;
const isName = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 256;
const keysIn = (p: Record<string, unknown>, allowed: string[]) => Object.keys(p).every((k) => allowed.includes(k));

/** A record of string values (template variables, prompt arguments): at most 32, each at most 4096 characters. */
export function isStringArgs(v: unknown): v is Record<string, string> {
  return isRecord(v) && Object.keys(v).length <= MAX_ARGS && Object.entries(v).every(([k, x]) => k.length > 0 && k.length <= 256 && typeof x === 'string' && x.length <= MAX_VALUE);
}

export interface ResourceRequests {
  /** resources/read of a URI (listed, or a template filled in). `signIn`: sign in / step up on a challenge. */
  'resource/read': { params: { uri: string; signIn?: boolean }; result: ResourceReadView };
  /** Subscribe to (on) or unsubscribe from (off) a resource's updates; updates arrive as `resource/updated`. */
  'resource/subscribe': { params: { uri: string; on: boolean }; result: { subscribed: boolean } };
  /** Save a blob of the last read of `uri` through a save dialog (the webview names the item, not a path). */
  'resource/save': { params: { uri: string; index: number }; result: { saved: boolean } };
  /** completion/complete for a template variable ('resource': name = the template) or a prompt argument. */
  'completion/complete': { params: { ref: 'resource' | 'prompt'; name: string; argument: string; value: string; context: Record<string, string> }; result: CompletionView };
  /** prompts/get with string arguments. */
  'prompt/get': { params: { name: string; args: Record<string, string>; signIn?: boolean }; result: PromptGetView };
  /** The next run of pages of the resources or prompts list. */
  'list/more': { params: { what: 'resources' | 'prompts' }; result: { more: boolean } };
}

export const RESOURCE_REQUEST_PARAMS: { [M in keyof ResourceRequests]: (p: unknown) => p is ResourceRequests[M]['params'] } = {
  'resource/read': (p): p is ResourceRequests['resource/read']['params'] => isRecord(p) && isUri(p.uri) && (p.signIn === undefined || typeof p.signIn === 'boolean') && keysIn(p, ['uri', 'signIn']),
  'resource/subscribe': (p): p is ResourceRequests['resource/subscribe']['params'] => isRecord(p) && isUri(p.uri) && typeof p.on === 'boolean' && keysIn(p, ['uri', 'on']),
  'resource/save': (p): p is ResourceRequests['resource/save']['params'] => isRecord(p) && isUri(p.uri) && Number.isSafeInteger(p.index) && (p.index as number) >= 0 && keysIn(p, ['uri', 'index']),
  'completion/complete': (p): p is ResourceRequests['completion/complete']['params'] =>
    isRecord(p) &&
    (p.ref === 'resource' || p.ref === 'prompt') &&
    isUri(p.name) &&
    isName(p.argument) &&
    typeof p.value === 'string' &&
    p.value.length <= MAX_VALUE &&
    isStringArgs(p.context) &&
    keysIn(p, ['ref', 'name', 'argument', 'value', 'context']),
  'prompt/get': (p): p is ResourceRequests['prompt/get']['params'] => isRecord(p) && isName(p.name) && isStringArgs(p.args) && (p.signIn === undefined || typeof p.signIn === 'boolean') && keysIn(p, ['name', 'args', 'signIn']),
  'list/more': (p): p is ResourceRequests['list/more']['params'] => isRecord(p) && (p.what === 'resources' || p.what === 'prompts') && keysIn(p, ['what']),
};

export interface ResourceNotifications<Server> {
  'state/resources': ResourcesState<Server>;
  'state/prompts': PromptsState<Server>;
  /** A subscribed resource changed (notifications/resources/updated): read it again to see how. */
  'resource/updated': { uri: string; at: number };
}
