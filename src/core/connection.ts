/**
 * One server connection, assembled: the guarded fetch and trace, the OAuth state machine and the MCP
 * session. The extension and the CLI both build connections here, so they behave the same.
 */
import { InspectorError } from './errors';
import { createGuardedFetch, type GuardedFetch } from './http/guardedFetch';
import { Redactor } from './http/redact';
import { Trace } from './http/trace';
import { checkUrl } from './http/urlPolicy';
import { McpSession, type McpSessionOptions, type ServerTarget, type TransportKind } from './mcp/session';
import { AuthManager, type GrantKind } from './oauth/authManager';
import type { OAuthContext } from './oauth/context';
import type { CrossAppAccessConfig, WorkloadIdentityConfig } from './oauth/grants';
import { createHeadlessBrowser } from './oauth/headlessBrowser';
import type { RedirectReceiverFactory } from './oauth/redirect/redirectReceiver';
import type { ClientConfig } from './oauth/registration';
import { nullLogger, systemClock, type Browser, type Clock, type Logger, type Prompt, type SecretStore } from './ports';
import type { ElicitRequest, ElicitResult } from '@modelcontextprotocol/client';
import { STEP } from '../shared/codes';

export interface ConnectionOptions {
  serverUrl: string;
  transport?: TransportKind;
  secrets: SecretStore;
  /** The browser for interactive sign-in; ignored when `headless`. */
  browser?: Browser;
  /** Request the authorization URL ourselves and follow redirects (servers that approve without a person). */
  headless?: boolean;
  prompt?: Prompt;
  logger?: Logger;
  clock?: Clock;
  client: ClientConfig;
  grant?: GrantKind;
  scopes?: string[];
  crossApp?: CrossAppAccessConfig;
  /** The workload's JWT for grant 'workload_identity'. */
  workload?: WorkloadIdentityConfig;
  timeoutMs?: number;
  allowHttpHosts?: string[];
  authorizationTimeoutMs?: number;
  /** Where the browser is sent back to (default: the loopback receiver). */
  startReceiver?: RedirectReceiverFactory;
  /** A fixed port for the loopback receiver instead of an ephemeral one (exact-match redirect URIs). */
  redirectPort?: number;
  /** Maximum bytes of a buffered response body (default 5 MiB; see GuardedFetchOptions). */
  maxBodyBytes?: number;
  /**
   * Headless only: how the callback URL the headless browser reached is handed to the receiver.
   * Default: a plain GET (the loopback receiver). A receiver the host application feeds (a URI
   * handler) hands it to the host instead.
   */
  headlessDeliver?: (url: URL) => Promise<void>;
  onElicit?: (request: ElicitRequest['params']) => Promise<ElicitResult>;
  onListChanged?: (what: 'tools' | 'resources' | 'prompts') => void;
  /** Each log entry the server sends (`notifications/message`), made safe to show (mcp/serverLog.ts). */
  onLogMessage?: McpSessionOptions['onLogMessage'];
  /** Speak exactly this MCP protocol version instead of negotiating (see McpSessionOptions.protocolVersion). */
  protocolVersion?: string;
  /** How many MCP messages the connection's message log keeps (src/core/mcp/messageLog.ts). */
  messageLogMaxEntries?: number;
  /** Injected for tests. */
  fetchImpl?: typeof fetch;
  trace?: Trace;
  redactor?: Redactor;
}

export interface Connection {
  serverUrl: URL;
  trace: Trace;
  redactor: Redactor;
  fetch: GuardedFetch;
  ctx: OAuthContext;
  auth: AuthManager;
  session: McpSession;
  close(): Promise<void>;
}

export function createConnection(o: ConnectionOptions): Connection {
  const serverUrl = checkUrl(o.serverUrl, 'MCP server URL', o.allowHttpHosts);
  const trace = o.trace ?? new Trace();
  const redactor = o.redactor ?? new Redactor();
  const logger = o.logger ?? nullLogger;
  const fetch = createGuardedFetch({
    policy: { trustedOrigin: serverUrl, allowHttpHosts: o.allowHttpHosts },
    trace,
    redactor,
    timeoutMs: o.timeoutMs,
    maxBodyBytes: o.maxBodyBytes,
    fetchImpl: o.fetchImpl,
  });
  const ctx: OAuthContext = { fetch, trace, redactor, logger, clock: o.clock ?? systemClock };
  const browser = o.headless
    ? createHeadlessBrowser({ fetch, deliver: o.headlessDeliver })
    : o.browser;
  const auth = new AuthManager({
    ctx,
    serverUrl,
    secrets: o.secrets,
    browser: browser ?? {
      open: async () => {
        throw new InspectorError('browser_open_failed', 'sign-in is needed but no browser is available', { step: STEP.authorizationRequest, hint: 'Run with --open (system browser) or --headless (servers that approve without a person)' });
      },
    },
    prompt: o.prompt,
    client: o.client,
    grant: o.grant,
    scopes: o.scopes,
    crossApp: o.crossApp,
    workload: o.workload,
    authorizationTimeoutMs: o.authorizationTimeoutMs,
    startReceiver: o.startReceiver,
    redirectPort: o.redirectPort,
  });
  const target: ServerTarget = { kind: 'http', url: serverUrl, transport: o.transport };
  const session = new McpSession({ target, fetch, auth, logger, onElicit: o.onElicit, onListChanged: o.onListChanged, onLogMessage: o.onLogMessage, protocolVersion: o.protocolVersion, messageLog: { maxEntries: o.messageLogMaxEntries } });
  return {
    serverUrl,
    trace,
    redactor,
    fetch,
    ctx,
    auth,
    session,
    close: () => session.close(),
  };
}
