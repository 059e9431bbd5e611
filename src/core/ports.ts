/**
 * The interfaces the outside world implements. The engine asks through these and never through
 * `vscode`: the extension implements them with SecretStorage, openExternal and a LogOutputChannel;
 * the CLI with memory/a 0600 file, a printed URL (or a headless fetch) and stderr.
 */

/** Where secrets live. In the extension this is `context.secrets` and nothing else. */
export interface SecretStore {
  get(key: string): Promise<string | undefined>;
  store(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  /** Keys currently stored under a prefix (implementations keep an index; SecretStorage has no listing). */
  keys(prefix: string): Promise<string[]>;
}

/** Opens an authorization URL for the user. The URL has passed the scheme/host checks already. */
export interface Browser {
  /**
   * @param url the authorization URL
   * @param redirectUri the loopback redirect URI this attempt waits on (a headless browser stops there)
   */
  open(url: URL, redirectUri?: string): Promise<void>;
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  trace(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string | Error, ...args: unknown[]): void;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Questions the engine may need to ask a person (a quick pick / input box, or a CLI flag). */
export interface Prompt {
  /**
   * The user has not used this authorization server before: show the real host and ask before the
   * browser opens. Resolve false to cancel.
   */
  confirmAuthorizationHost?(host: string, url: URL): Promise<boolean>;
  /**
   * Ask for a client id (and optional secret): because the user chose to enter one ("Ask me"), or
   * because no registration is possible automatically — `why` says which, and what the server supports.
   */
  askClientCredentials?(issuer: string, why?: ClientIdRequest): Promise<{ client_id: string; client_secret?: string } | undefined>;
}

/** Why the engine asks for a client id, and what the authorization server supports (so the question says what is true). */
export interface ClientIdRequest {
  /** 'chosen': the registration policy is "Ask me" (manual); 'no-automatic-registration': nothing else is possible. */
  reason: 'chosen' | 'no-automatic-registration';
  /** The server advertises Client ID Metadata Document support. */
  cimd: boolean;
  /** The server has a registration_endpoint (Dynamic Client Registration). */
  dcr: boolean;
}

export const nullLogger: Logger = {
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
};
