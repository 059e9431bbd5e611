// An MCP server on mcp-use 1.x in proxy mode (`oauthProxy`): a DCR facade in front of a
// pre-registered client of an upstream OpenID Provider, as its README shows for Okta/Google.
// Run by test/interop from the interop cache (scripts/install-interop.sh), where mcp-use-v1 resolves.
// Environment: PORT, UPSTREAM (issuer), UPSTREAM_JWKS, CLIENT_ID, CLIENT_SECRET, SCOPES.
import { connect } from 'node:net';
import { MCPServer, jwksVerifier, oauthProxy, text } from 'mcp-use-v1/server';

const { PORT, UPSTREAM, UPSTREAM_JWKS, CLIENT_ID, CLIENT_SECRET, SCOPES } = process.env;
const baseUrl = `http://127.0.0.1:${PORT}`;
const server = new MCPServer({
  name: 'interop-mcp-use-proxy',
  version: '1.0.0',
  host: '127.0.0.1',
  baseUrl,
  oauth: oauthProxy({
    authEndpoint: `${UPSTREAM}/auth`,
    tokenEndpoint: `${UPSTREAM}/token`,
    issuer: UPSTREAM,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    ...(SCOPES ? { scopes: SCOPES.split(' ') } : {}),
    verifyToken: jwksVerifier({ jwksUrl: UPSTREAM_JWKS, issuer: UPSTREAM }),
  }),
});
server.tool({ name: 'whoami', description: 'Who the token is for' }, async (_params, ctx) => text(`signed in as ${ctx?.auth?.user?.userId ?? '?'}`));
await server.listen(Number(PORT));
// mcp-use 1.x's listen() resolves before the socket is bound: wait until it takes connections.
for (let i = 0; !(await new Promise((resolve) => connect(Number(PORT), '127.0.0.1', function () { this.end(); resolve(true); }).on('error', () => resolve(false)))); i++) {
  if (i > 200) throw new Error(`nothing listens on ${PORT}`);
  await new Promise((resolve) => setTimeout(resolve, 25));
}
console.log(`READY ${baseUrl}/mcp`);
