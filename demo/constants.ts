/** Names shared by the demo's authorization server, MCP server, launcher and tests. */

/** The resource server's scopes (RFC 8707 resource scopes, also advertised in AS discovery). */
export const SCOPE_READ = 'todos.read';
export const SCOPE_WRITE = 'todos.write';
export const RESOURCE_SCOPES = [SCOPE_READ, SCOPE_WRITE] as const;

export interface DemoAccount {
  readonly username: string;
  readonly password: string;
  readonly name: string;
}

/**
 * The first demo user: the login form's default, and the account MCP_DEMO_AUTO_APPROVE signs in.
 * Shown on the login page on purpose, like every demo account: this is a local demo.
 */
export const DEMO_USER = { username: 'demo', password: 'demo', name: 'Demo User' } as const satisfies DemoAccount;

/** A second demo user, so that per-user data (todos keyed by the token's `sub`) can be seen apart. */
export const ALICE_USER = { username: 'alice', password: 'alice', name: 'Alice' } as const satisfies DemoAccount;

/** Every account the login page accepts; the username is the account id and the token's `sub`. */
export const DEMO_ACCOUNTS: readonly DemoAccount[] = [DEMO_USER, ALICE_USER];

/** The demo account with this username (exact match), if any. */
export function findDemoAccount(username: unknown): DemoAccount | undefined {
  return typeof username === 'string' ? DEMO_ACCOUNTS.find((account) => account.username === username) : undefined;
}

/** The pre-registered public client (RFC 8252 native app, loopback redirect, any port). */
export const PRE_REGISTERED_CLIENT_ID = 'todo-local';

/**
 * A pre-registered confidential client (client_secret_basic), for trying the inspector's
 * confidential-client path. The secret is a demo value, printed on purpose like the demo password.
 */
export const CONFIDENTIAL_CLIENT = { client_id: 'todo-confidential', client_secret: 'todo-confidential-demo-secret' } as const;

/**
 * The extension's Client ID Metadata Document URL. The demo never fetches it: the authorization
 * server answers it from the repository's own `media/client-metadata.json`.
 */
export const EXTENSION_CLIENT_METADATA_URL = 'https://mcp-oauth-inspector.github.io/client-metadata.json';

/** Where the MCP endpoints live on the MCP origin. */
export const MCP_PATH = '/mcp';
export const MIXED_PATH = '/mcp-mixed';
/** The deliberately misconfigured endpoint (per-tool protection, with the defects in defects.ts). */
export const MISCONFIGURED_PATH = '/mcp-misconfigured';

export const DEFAULT_MCP_PORT = 5080;
export const DEFAULT_AS_PORT = 5081;
export const DEFAULT_TOKEN_TTL_SECONDS = 600;
