// Minimal typings for the parts of panva's oidc-provider (v9, ships no types) that the demo uses.
// Kept local to demo/ so the project does not take on @types/oidc-provider for a dev-only server.
// Everything not listed here is intentionally `unknown`.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  /** The Koa context as far as the demo touches it (the Provider is itself a Koa app). */
  export interface KoaContext {
    method: string;
    path: string;
    url: string;
    req: IncomingMessage;
    res: ServerResponse;
    status: number;
    body: unknown;
    type: string;
    request: { headers: IncomingMessage['headers'] };
    get(field: string): string;
    set(field: string, value: string | string[]): void;
    redirect(url: string): void;
    /** Defined by the provider on its own routes only; absent on routes the demo adds. */
    readonly oidc?: OIDCContext;
  }

  export type KoaMiddleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;

  export interface OIDCContext {
    readonly route?: string;
    readonly params?: Record<string, unknown>;
    readonly client?: Client;
  }

  export interface Client {
    readonly clientId: string;
    readonly clientName?: string;
    readonly clientAuthMethod: string;
    readonly applicationType: 'native' | 'web';
    readonly redirectUris: string[];
    grantTypeAllowed(type: string): boolean;
  }

  export interface ClientMetadata {
    client_id: string;
    client_name?: string;
    application_type?: 'native' | 'web';
    redirect_uris?: string[];
    grant_types?: string[];
    response_types?: string[];
    token_endpoint_auth_method?: string;
    [key: string]: unknown;
  }

  export interface Account {
    accountId: string;
    claims(use: string, scope: string): Record<string, unknown> | Promise<Record<string, unknown>>;
  }

  export interface PromptDetail {
    name: 'login' | 'consent' | string;
    reasons: string[];
    details: {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
      [key: string]: unknown;
    };
  }

  export interface InteractionResults {
    login?: { accountId: string; remember?: boolean };
    consent?: { grantId?: string };
    error?: string;
    error_description?: string;
  }

  export class Interaction {
    static find(uid: string): Promise<Interaction | undefined>;
    readonly uid: string;
    readonly exp: number;
    readonly returnTo: string;
    readonly prompt: PromptDetail;
    readonly params: Record<string, unknown> & { client_id: string; scope?: string; resource?: string | string[] };
    readonly session?: { accountId: string; uid?: string };
    readonly grantId?: string;
    result?: InteractionResults;
    persist(): Promise<string>;
  }

  export class Grant {
    static find(id: string): Promise<Grant | undefined>;
    constructor(init: { accountId: string; clientId: string });
    readonly accountId: string;
    readonly clientId: string;
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }

  /** The instance handed to `<model>.issued`/`saved` events. */
  export interface IssuedToken {
    readonly kind: string;
    readonly jti: string;
    readonly grantId?: string;
    readonly clientId?: string;
    readonly expiration?: number;
    readonly exp?: number;
  }

  export interface ResourceServerInfo {
    scope: string;
    audience?: string;
    accessTokenTTL?: number;
    accessTokenFormat?: 'opaque' | 'jwt';
    jwt?: { sign?: { alg: string } };
  }

  /** Configuration is large and loosely shaped; the demo builds it with known keys. */
  export type Configuration = Record<string, unknown>;

  export class Provider {
    constructor(issuer: string, configuration?: Configuration);
    readonly issuer: string;
    proxy: boolean;
    readonly Interaction: typeof Interaction;
    readonly Grant: typeof Grant;
    readonly Client: { find(id: string): Promise<Client | undefined> };
    use(middleware: KoaMiddleware): this;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    interactionResult(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<string>;
    cookieName(type: 'interaction' | 'resume' | 'session' | 'state'): string;
    urlFor(name: string, options?: Record<string, unknown>): string;
    pathFor(name: string, options?: Record<string, unknown>): string;
    on(event: 'grant.revoked', listener: (ctx: unknown, grantId: string) => void): this;
    on(event: 'access_token.issued' | 'access_token.saved', listener: (token: IssuedToken) => void): this;
    on(event: 'server_error', listener: (ctx: unknown, error: Error) => void): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }

  export const errors: {
    InvalidTarget: new (description?: string) => Error;
  };

  export default Provider;
}

/** oidc-provider's own in-memory adapter; `createMemoryAdapter()` gives each provider its own store. */
declare module 'oidc-provider/lib/adapters/memory_adapter.js' {
  export function createMemoryAdapter(clockTolerance?: number): (model: string) => unknown;
}
