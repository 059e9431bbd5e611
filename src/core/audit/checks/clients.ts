/**
 * [clients] — which kinds of widely used clients accept this server as configured, judged from what
 * the other checks proved. Always `warn` at most: a client's behaviour is its own, and changes.
 *
 * Each class rests on documented behaviour, cited here with the date it was checked (2026-12-05).
 * Where a client's behaviour could not be verified in its documentation, the class is described
 * generically instead of naming the client.
 */
import type { AuditCheck, AuditCheckId } from '../../../shared/audit';
import type { AuditContext } from '../context';
import { noTokenReason } from '../support';

type Reported = readonly AuditCheck[];

export async function clientsChecks(ctx: AuditContext): Promise<void> {
  const reported: Reported = (ctx as AuditContext & { reported?: Reported }).reported ?? [];
  const level = (id: AuditCheckId) => reported.find((c) => c.id === id)?.level;
  const ids = (...list: AuditCheckId[]) => reported.filter((c) => list.includes(c.id)).flatMap((c) => c.exchanges).slice(0, 8);
  const { facts } = ctx;

  // Clients that react only to HTTP 401/403 challenges. The MCP authorization spec's own client flow
  // starts from "MCP server returns 401 Unauthorized with WWW-Authenticate"
  // (https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization#authorization-flow-steps,
  // checked 2026-12-05); the official SDKs' transports sign in on HTTP 401 only
  // (@modelcontextprotocol/client StreamableHTTPClientTransport: onUnauthorized on a 401 response).
  if (!facts.challenge && facts.protectedCall?.via !== 'tool-result') ctx.skip('clients.http-challenge-only', facts.noOAuth ?? 'the server refused no request made without a token');
  else if (facts.protectedCall?.via === 'tool-result')
    ctx.report({
      id: 'clients.http-challenge-only',
      level: 'warn',
      finding: `A protected tool (${facts.protectedCall.tool}) is refused only with a tool-level _meta challenge inside an HTTP 200: clients that start sign-in only on HTTP 401/403 (the spec's flow, the official SDKs) see a failed tool call and never sign in.`,
      fix: `Refuse ${facts.protectedCall.tool} without a token with HTTP 401 and WWW-Authenticate as well (or instead).`,
      exchanges: [facts.protectedCall.exchange],
    });
  else if (facts.challenge && (facts.challenge.status === 401 || facts.challenge.status === 403) && facts.challenge.challenge?.resource_metadata)
    ctx.report({ id: 'clients.http-challenge-only', level: 'pass', finding: `A request without a token gets HTTP ${facts.challenge.status} with a challenge naming resource_metadata: clients that act on HTTP challenges can sign in.`, exchanges: [facts.challenge.exchange] });
  else
    ctx.report({
      id: 'clients.http-challenge-only',
      level: 'warn',
      finding: 'The HTTP refusal does not name resource_metadata (or has no Bearer challenge): clients that follow only the header cannot find where to sign in; those that try the well-known URLs can.',
      fix: 'Answer with HTTP 401 and WWW-Authenticate: Bearer resource_metadata="…".',
      exchanges: facts.challenge ? [facts.challenge.exchange] : [],
    });

  // Clients that react only to the tool-level challenge. The per-tool model (securitySchemes, the
  // tool result with isError and `_meta["mcp/www_authenticate"]`) comes from OpenAI's Apps SDK
  // (https://developers.openai.com/apps-sdk/build/auth, per-tool authentication with securitySchemes;
  // this repository implements the same form in src/core/oauth/challenge.ts). Which clients start a
  // sign-in only from that challenge could not be verified in documentation on 2026-12-05, so the class
  // is described generically: a client that connects anonymously to a per-tool server and learns that
  // a tool needs a token only from that tool's result.
  if (!facts.protectedCall) ctx.skip('clients.meta-challenge-only', facts.challenge ? 'the whole server needs a token from the first request, so a client signs in when it connects' : 'no protected tool was called without a token');
  else if (facts.protectedCall.via === 'http')
    ctx.report({
      id: 'clients.meta-challenge-only',
      level: 'warn',
      finding: `Anyone may connect, and the protected tool ${facts.protectedCall.tool} is refused with HTTP ${facts.challenge?.status ?? 401} only: clients that start sign-in for a tool only from a tool-level _meta["mcp/www_authenticate"] challenge in the tool's result (the per-tool model of OpenAI's Apps SDK) will not offer a sign-in for it.`,
      fix: `Return, for ${facts.protectedCall.tool} without a token, a tool result with isError: true and _meta["mcp/www_authenticate"]: ["Bearer resource_metadata=\\"…\\", error=\\"insufficient_scope\\", …"] — or keep HTTP 401 if those clients do not matter to you.`,
      exchanges: [facts.protectedCall.exchange],
    });
  else if (facts.protectedCall.via === 'tool-result') ctx.report({ id: 'clients.meta-challenge-only', level: 'pass', finding: `The protected tool ${facts.protectedCall.tool} answers a call without a token with a tool-level _meta challenge.`, exchanges: [facts.protectedCall.exchange] });
  else ctx.skip('clients.meta-challenge-only', facts.protectedCall.via === 'unclear' ? `the call of ${facts.protectedCall.tool} without a token showed no challenge either way (an error result without one)` : `the protected tool ${facts.protectedCall.tool} was not refused at all (see discovery.unauthenticated-challenge)`);

  // Clients that register themselves with loopback redirect URIs. VS Code is reported to register
  // through Dynamic Client Registration with http://127.0.0.1:<port>/ and vscode.dev redirect URIs
  // when it gets a 401 (user reports in microsoft/vscode#257415 and #278512, not documentation;
  // checked 2026-12-05), so the finding names the class, not the client; the MCP authorization spec lists CIMD
  // and DCR as the ways a client without a pre-registration gets a client id
  // (https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization#client-registration-approaches).
  // Claude's connectors register with DCR too, with an https callback
  // (https://support.claude.com/en/articles/11503834, checked 2026-12-05).
  const cimd = level('registration.client-id-metadata-document');
  const dcr = level('registration.dynamic-client-registration');
  if (!facts.discovery) ctx.skip('clients.loopback-registration', facts.noOAuth ?? 'no authorization server metadata was read');
  else if (cimd === 'pass' || dcr === 'pass')
    ctx.report({ id: 'clients.loopback-registration', level: 'pass', finding: `A client with a loopback redirect URI can register itself: ${[cimd === 'pass' && 'Client ID Metadata Document', dcr === 'pass' && 'Dynamic Client Registration'].filter(Boolean).join(' and ')} worked.`, exchanges: ids('registration.client-id-metadata-document', 'registration.dynamic-client-registration') });
  else
    ctx.report({
      id: 'clients.loopback-registration',
      level: 'warn',
      finding: 'Neither a Client ID Metadata Document nor Dynamic Client Registration with a loopback redirect URI worked: desktop and editor clients that register themselves with a loopback redirect URI cannot sign in without a client id entered by hand.',
      fix: 'Support Client ID Metadata Documents or open Dynamic Client Registration for public clients with loopback redirect URIs on any port (RFC 8252 §7.3).',
      exchanges: ids('registration.client-id-metadata-document', 'registration.dynamic-client-registration'),
    });

  // Clients that need refresh to stay signed in. Claude's connector documentation: "Claude supports
  // token expiry and refresh – servers should support this" (https://support.claude.com/en/articles/11503834,
  // checked 2026-12-05). Clients that get no refresh token ask the user to sign in again when the
  // access token expires.
  const refresh = level('authorization-server.refresh-offline-access');
  const rotation = level('authorization-server.refresh-rotation');
  if (!facts.tokens) ctx.skip('clients.offline-refresh', noTokenReason(facts));
  else if (facts.tokens.refresh_token && rotation !== 'fail')
    ctx.report({ id: 'clients.offline-refresh', level: 'pass', finding: 'A refresh token is issued and refreshing works: clients stay signed in past the access token\'s lifetime.', exchanges: ids('authorization-server.refresh-offline-access', 'authorization-server.refresh-rotation') });
  else
    ctx.report({
      id: 'clients.offline-refresh',
      level: 'warn',
      finding: `${refresh === 'pass' ? 'The refresh token is refused' : 'No refresh token is issued'}: clients that expect to refresh (Claude's connectors document it) make the user sign in again every time the access token expires.`,
      fix: 'Issue refresh tokens (for offline_access where the authorization server requires it) and accept them at the token endpoint.',
      exchanges: ids('authorization-server.refresh-offline-access', 'authorization-server.refresh-rotation'),
    });
}
