/**
 * Resources and prompts of an MCP session, over the SDK's Client: listings one bounded run of pages at
 * a time (a cut list carries the cursor to go on from, shown as "more", never an error), resource
 * templates, `resources/read`, subscriptions with live `notifications/resources/updated`,
 * `completion/complete` for template variables and prompt arguments, `prompts/get`.
 *
 * Both protocol eras: on the session era (`initialize`) a subscription is `resources/subscribe` and the
 * server sends the updates unsolicited; on 2026-07-28 there is no `resources/subscribe`, the client
 * opens a `subscriptions/listen` stream naming the URIs (SEP-2575 / the SDK's `Client.listen`), and the
 * updates arrive on it. A server without `resources.subscribe` or `completions` gets no such request:
 * the answer says the server does not offer it, so a front end can say so instead of faking it.
 *
 * Authorization is the session's: each request goes through the same fetch as a tool call (authFetch.ts),
 * so a 401/403 signs in or steps up; `authorize: false` turns that into an 'authorization_required' /
 * 'insufficient_scope' error carrying the scopes, for front ends that offer the sign-in first.
 * @see https://modelcontextprotocol.io/specification/2025-06-18/server/resources
 * @see https://modelcontextprotocol.io/specification/2025-06-18/server/prompts
 * @see https://modelcontextprotocol.io/specification/2025-06-18/server/utilities/completion
 */
import type { Client, CompleteResult, GetPromptResult, Prompt, ReadResourceResult, Resource, ResourceTemplateType as ResourceTemplate } from '@modelcontextprotocol/client';
import { InspectorError } from '../errors';
import type { McpMethodStep } from '../../shared/codes';
import type { Negotiation } from './protocolVersion';

/**
 * What these functions use of an McpSession (session.ts), named here so this module does not import
 * the session, which imports it for its own listings.
 */
export interface McpSession {
  readonly client: Client;
  readonly serverCapabilities: ReturnType<Client['getServerCapabilities']>;
  readonly negotiation: Negotiation | undefined;
  readonly maxPages: number;
  operation<T>(what: McpMethodStep, fn: () => Promise<T>, authorize?: boolean): Promise<T>;
}

export type { GetPromptResult, Prompt, ReadResourceResult, Resource, ResourceTemplate };

/** One run of pages: the items, and the cursor to continue from when the server had more. */
export interface ListPage<T> {
  items: T[];
  /** Set when the server still offered a next page at the page limit: pass it back to get more. */
  nextCursor?: string;
}

export interface PageOptions {
  /** Continue from this cursor (a previous page's nextCursor). */
  cursor?: string;
  /** Pages to follow in this run (default the session's maxPages, 50). */
  maxPages?: number;
  /** As CallToolOptions.authorize: false = a challenge rejects with the scopes instead of signing in. */
  authorize?: boolean;
}

export interface RequestOpts {
  authorize?: boolean;
}

/** Why a feature is not there: the server does not declare it, or the negotiated era has no such request. */
export type Unsupported = { supported: false; reason: 'server' | 'era'; message: string };

export interface Completion {
  values: string[];
  total?: number;
  hasMore?: boolean;
}

/** What the resource may be completed against: a template's URI variable, or a prompt's argument. */
export type CompletionRef = { type: 'ref/resource'; uri: string } | { type: 'ref/prompt'; name: string };

/** At most this many completion values are kept (the spec caps a response at 100). */
const MAX_COMPLETIONS = 100;

async function pages<T, R extends { nextCursor?: string }>(
  session: McpSession,
  what: 'resources/list' | 'resources/templates/list' | 'prompts/list',
  fetchPage: (cursor: string | undefined) => Promise<R>,
  itemsOf: (r: R) => T[] | undefined,
  o: PageOptions,
): Promise<ListPage<T>> {
  const max = Math.max(1, o.maxPages ?? session.maxPages);
  const items: T[] = [];
  let cursor = o.cursor;
  for (let page = 0; page < max; page++) {
    const r = await session.operation(what, () => fetchPage(cursor), o.authorize);
    items.push(...(itemsOf(r) ?? []));
    const next = typeof r.nextCursor === 'string' && r.nextCursor ? r.nextCursor : undefined;
    // a server repeating its cursor would page forever: the page limit ends it, with the cursor kept
    if (!next) return { items };
    cursor = next;
  }
  return { items, nextCursor: cursor };
}

export function listResources(session: McpSession, o: PageOptions = {}): Promise<ListPage<Resource>> {
  if (!session.serverCapabilities?.resources) return Promise.resolve({ items: [] });
  return pages(session, 'resources/list', (cursor) => session.client.request({ method: 'resources/list', params: cursor ? { cursor } : undefined }), (r) => r.resources, o);
}

export function listResourceTemplates(session: McpSession, o: PageOptions = {}): Promise<ListPage<ResourceTemplate>> {
  if (!session.serverCapabilities?.resources) return Promise.resolve({ items: [] });
  return pages(session, 'resources/templates/list', (cursor) => session.client.request({ method: 'resources/templates/list', params: cursor ? { cursor } : undefined }), (r) => r.resourceTemplates, o);
}

export function listPrompts(session: McpSession, o: PageOptions = {}): Promise<ListPage<Prompt>> {
  if (!session.serverCapabilities?.prompts) return Promise.resolve({ items: [] });
  return pages(session, 'prompts/list', (cursor) => session.client.request({ method: 'prompts/list', params: cursor ? { cursor } : undefined }), (r) => r.prompts, o);
}

/** resources/read. The result is the server's, as sent: front ends cap and escape what they show. */
export function readResource(session: McpSession, uri: string, o: RequestOpts = {}): Promise<ReadResourceResult> {
  // never served from the SDK's response cache: an inspector shows what the server answers now
  return session.operation(`resources/read ${uri}`, () => session.client.readResource({ uri }, { cacheMode: 'bypass' } as never), o.authorize);
}

/** prompts/get with string arguments (MCP prompts: arguments are strings). */
export function getPrompt(session: McpSession, name: string, args: Record<string, string> = {}, o: RequestOpts = {}): Promise<GetPromptResult> {
  return session.operation(`prompts/get ${name}`, () => session.client.getPrompt({ name, arguments: args }), o.authorize);
}

/**
 * completion/complete for one argument (a template's URI variable or a prompt argument), with the
 * values already given as context. A server without the `completions` capability is not asked.
 */
export async function complete(session: McpSession, ref: CompletionRef, argument: { name: string; value: string }, context: Record<string, string> = {}, o: RequestOpts = {}): Promise<Completion | Unsupported> {
  if (!session.serverCapabilities?.completions) return { supported: false, reason: 'server', message: 'The server does not offer completions (no completions capability)' };
  const r: CompleteResult = await session.operation(
    'completion/complete',
    () => session.client.complete({ ref, argument, ...(Object.keys(context).length ? { context: { arguments: context } } : {}) }),
    o.authorize,
  );
  const values = (Array.isArray(r.completion?.values) ? r.completion.values : []).filter((v): v is string => typeof v === 'string').slice(0, MAX_COMPLETIONS);
  return { values, total: typeof r.completion?.total === 'number' ? r.completion.total : undefined, hasMore: r.completion?.hasMore === true ? true : undefined };
}

/** Whether this session can subscribe to resource updates, and how. */
export function subscriptionSupport(session: McpSession): { supported: true; via: 'resources/subscribe' | 'subscriptions/listen' } | Unsupported {
  const caps = session.serverCapabilities?.resources as { subscribe?: boolean } | undefined;
  if (!caps?.subscribe) return { supported: false, reason: 'server', message: 'The server does not offer resource subscriptions (resources.subscribe is not in its capabilities)' };
  return { supported: true, via: session.negotiation?.era === 'stateless-2026' ? 'subscriptions/listen' : 'resources/subscribe' };
}

export interface ResourceSubscription {
  readonly uri: string;
  readonly via: 'resources/subscribe' | 'subscriptions/listen';
  /** Ends the subscription (resources/unsubscribe, or closing the listen stream). Safe twice. */
  close(): Promise<void>;
}

type UpdateListener = (uri: string) => void;

/** Per session: who listens to which URI's updates (one notification handler on the SDK client). */
const listeners = new WeakMap<McpSession, Map<string, Set<UpdateListener>>>();

function listenersOf(session: McpSession): Map<string, Set<UpdateListener>> {
  let byUri = listeners.get(session);
  if (!byUri) {
    const map = new Map<string, Set<UpdateListener>>();
    byUri = map;
    listeners.set(session, map);
    // Both eras deliver here: unsolicited on the session era, on the listen stream on 2026-07-28.
    session.client.setNotificationHandler('notifications/resources/updated', (n) => {
      const uri = n.params?.uri;
      if (typeof uri !== 'string') return;
      for (const l of map.get(uri) ?? []) {
        try {
          l(uri);
        } catch {
          /* a listener's failure is its own */
        }
      }
    });
  }
  return byUri;
}

/**
 * Subscribe to `uri`'s updates: `onUpdated` runs on each `notifications/resources/updated` for it
 * (read the resource again to see the change). Throws 'mcp_request_failed' when the server or the
 * era does not offer it (check subscriptionSupport first to say so without asking).
 */
export async function subscribe(session: McpSession, uri: string, onUpdated: UpdateListener, o: RequestOpts = {}): Promise<ResourceSubscription> {
  const support = subscriptionSupport(session);
  if (!support.supported) {
    throw new InspectorError('mcp_request_failed', support.message, { step: `resources/subscribe ${uri}`, hint: 'Read the resource again to see changes' });
  }
  const byUri = listenersOf(session);
  let set = byUri.get(uri);
  if (!set) byUri.set(uri, (set = new Set()));
  set.add(onUpdated);
  const drop = () => {
    set!.delete(onUpdated);
    if (set!.size === 0) byUri.delete(uri);
  };
  // what ends this subscription on the wire, once its listener is dropped
  let release: () => Promise<void>;
  try {
    if (support.via === 'subscriptions/listen') {
      const sub = await session.operation(`resources/subscribe ${uri}`, () => session.client.listen({ resourceSubscriptions: [uri] }), o.authorize);
      release = () => sub.close().catch(() => {});
    } else {
      await session.operation(`resources/subscribe ${uri}`, () => session.client.subscribeResource({ uri }), o.authorize);
      // the last listener of this URI unsubscribes on the wire
      release = async () => {
        if (!byUri.has(uri)) await session.operation(`resources/unsubscribe ${uri}`, () => session.client.unsubscribeResource({ uri })).catch(() => {});
      };
    }
  } catch (err) {
    drop();
    throw err;
  }
  let closed = false;
  return {
    uri,
    via: support.via,
    async close() {
      if (closed) return;
      closed = true;
      drop();
      await release();
    },
  };
}
