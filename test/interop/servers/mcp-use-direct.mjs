// An MCP server on mcp-use 2.x (SDK v2) in front of an external OpenID Provider ("direct": clients
// register and sign in at the provider; the server only verifies its JWT access tokens).
// Run by test/interop from the interop cache (scripts/install-interop.sh), where mcp-use resolves.
// Environment: UPSTREAM (issuer), UPSTREAM_JWKS, SCOPES.
import { MCPServer, text } from 'mcp-use';
import { createJwtVerifier, oauthCustomProvider } from 'mcp-use/oauth';

const { UPSTREAM, UPSTREAM_JWKS, SCOPES } = process.env;
const oauthMetadata = await (await fetch(`${UPSTREAM}/.well-known/openid-configuration`)).json();
const server = new MCPServer({
  name: 'interop-mcp-use-direct',
  version: '1.0.0',
  oauth: oauthCustomProvider({
    oauthMetadata,
    scopesSupported: SCOPES ? SCOPES.split(' ') : undefined,
    createTokenVerifier: (resource) => createJwtVerifier({ issuer: UPSTREAM, jwksUrl: new URL(UPSTREAM_JWKS), resource }),
    mapAuthInfo: (authInfo) => ({ user: { id: String(authInfo.extra?.sub ?? authInfo.clientId) }, payload: {}, permissions: authInfo.scopes ?? [] }),
  }),
});
server.tool({ name: 'whoami', description: 'Who the token is for' }, async () => text('signed in'));
const { url } = await server.listen(0, { host: '127.0.0.1' });
console.log(`READY ${url}`);
