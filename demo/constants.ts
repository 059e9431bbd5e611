/** Names shared by the demo's authorization server, MCP server, launcher and tests. */

/** The resource server's scopes (RFC 8707 resource scopes, also advertised in AS discovery). */
export const SCOPE_READ = 'todos.read';
export const SCOPE_WRITE = 'todos.write';
export const RESOURCE_SCOPES = [SCOPE_READ, SCOPE_WRITE] as const;

/** The one demo user. Shown on the login page on purpose: this is a local demo. */
export const DEMO_USER = { username: 'demo', password: 'demo', name: 'Demo User' } as const;

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

export const DEFAULT_MCP_PORT = 5080;
export const DEFAULT_AS_PORT = 5081;
export const DEFAULT_TOKEN_TTL_SECONDS = 600;
