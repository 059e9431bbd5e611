/**
 * mcp-oauth-inspector — the headless front end over the engine.
 *
 *   mcp-oauth-inspector connect <url>            discover, sign in if needed, initialize, list tools
 *   mcp-oauth-inspector tools <url>              tools with their security requirements
 *   mcp-oauth-inspector call <url> <tool> --args '{"a":1}'
 *   mcp-oauth-inspector token <url>              inspect the access token (decoded, verified, checked)
 *   mcp-oauth-inspector refresh <url> --store f  refresh the stored token with its refresh token
 *   mcp-oauth-inspector conformance <url>        the adapter the official MCP conformance suite runs
 *   mcp-oauth-inspector resources|read|prompts|get-prompt <url> …   resources and prompts (resources.ts)
 *   mcp-oauth-inspector log <url> [--follow] [--json]   every MCP message of the session (log.ts)
 */
import type { Connection } from '../core/connection';
import { InspectorError, isInspectorError } from '../core/errors';
import { Redactor } from '../core/http/redact';
import { Trace } from '../core/http/trace';
import { inspectConnectionToken } from '../core/inspect/connectionToken';
import { MemorySecretStore } from '../core/memorySecretStore';
import { terminalLine } from '../core/text/terminal';
import type { SecretStore } from '../core/ports';
import { authSummary } from '../present/summaries';
import { runConformance } from './conformance';
import { auditCommand } from './audit';
import { isResourceCommand, RESOURCE_COMMANDS, runResourceCommand } from './resources';
import { runLogCommand } from './log';
import { readStdinText, useTokenFromText } from './tokenStdin';
import { FileSecretStore } from './fileSecretStore';
import { buildConnection, intFlag, parse } from './flags';
import { stderrLogger } from './terminalPorts';
import {
  EXIT,
  callHuman,
  errorLine,
  jsonOut,
  refreshHuman,
  tokenExitCode,
  tokenHuman,
  toolRow,
  toolsHuman,
  toolsTruncation,
  traceLine,
  traceText,
  traceTruncation,
  type FailOn,
  type Truncated,
} from './output';
import { STEP } from '../shared/codes';

const USAGE = `Usage: mcp-oauth-inspector <command> <server-url> [options]

Commands:
  connect <url>               discover, sign in if the server needs it, initialize and list tools
  tools <url>                 list tools with their securitySchemes and whether the token covers them
  call <url> <tool>           call a tool (--args '<json object>')
  token <url>                 inspect the stored access token (needs --store, or signs in first)
  refresh <url>               refresh the token stored with --store, using its refresh token
  conformance <url>           run what the MCP conformance suite's current scenario needs
  audit <url>                 audit the server's OAuth setup and say what to fix (audit --help)
  resources <url>             list resources and resource templates (--cursor <c> goes on from a cut list)
  read <url> <uri>            read a resource: text, or a blob's size and MIME type (--json: the base64)
  prompts <url>               list prompts with their arguments
  get-prompt <url> <name>     get a prompt (--args '<json object of strings>'): messages by role and type
  ping <url>                  connect and time a round trip (ping; server/discover on 2026-07-28)
  log <url>                   every MCP message of a connect and tools/list, as it goes (--json: JSON
                              Lines; --follow: keep listening for the server's messages until Ctrl-C)

Options:
  --registration <policy>     auto | preregistered | cimd | dcr | manual   (default auto)
  --client-id <id>            a pre-registered client id
  --client-secret <secret>    its secret (confidential clients); prefer MCP_CLIENT_SECRET in the environment
  --auth-method <method>      none | client_secret_basic | client_secret_post | private_key_jwt
  --private-key <file>        PKCS#8 PEM for private_key_jwt
  --client-metadata-url <url> the https URL used as client_id with Client ID Metadata Documents
  --grant <grant>             authorization_code (default) | client_credentials | workload_identity
  --assertion-file <file>     workload_identity: the workload's JWT (RFC 7523 jwt-bearer assertion),
                              e.g. a service account token; or MCP_WORKLOAD_JWT in the environment
  --scopes "<a b>"            scopes to request, merged with what the server's challenge asks for
                              (and offline_access when the authorization server offers it)
  --headless                  request the authorization URL ourselves and follow redirects
  --open                      open the authorization URL in the system browser (default: print it)
  --store <file>              keep tokens in this file (0600) instead of memory
  --redirect-port <n>         listen for the sign-in callback on 127.0.0.1:<n> instead of a free port,
                              for a pre-registered client whose authorization server matches the
                              redirect URI exactly (register http://127.0.0.1:<n>/callback there)
  --args <json>               tool arguments for "call", prompt arguments for "get-prompt"
  --token-stdin               use the access token read from standard input (a refresh token may follow
                              on a second line) instead of signing in; memory only, never --store. Not an
                              argument: a process's arguments are visible to every user (ps) and in history
  --accept-audience-mismatch  with --token-stdin: send a token whose aud names another resource anyway
                              (each request is marked in the trace)
  --cursor <c>                resources, prompts: continue a cut list from this cursor
  --timeout <ms>              per-request timeout (default 30000)
  --protocol-version <v>      speak exactly this MCP protocol version (YYYY-MM-DD) instead of negotiating
                              (2026-07-28 or later via server/discover; older via initialize)
  --max-pages <n>             tools/list pages to follow (default 50); a longer list is shown cut, and says so
  --max-trace-entries <n>     trace entries kept for --json (default 2000); older ones are dropped, and it says so
  --max-body-bytes <n>        largest response body accepted (default 5242880); a larger one is an error
  --fail-on <level>           token: exit 3 when a finding is at this level or worse (fail | warn)
  --json                      machine-readable output (includes the redacted OAuth trace); a cut list
                              is named in its "truncated" object, with the limit and the flag that raises it
  --trace                     print the redacted OAuth trace to stderr
  -h, --help                  this text

Exit status: 0 the command ran (token: the inspection ran, whatever it found); 1 it failed, or call
got a tool error result; 2 usage error; 3 token --fail-on found a finding at that level or worse.
Text from servers is printed with control and bidi characters escaped (\x1b, \u202e).
`;

const DEFAULT_MAX_PAGES = 50;
const DEFAULT_TRACE_ENTRIES = 2000;
const COMMANDS = ['connect', 'tools', 'call', 'token', 'refresh', 'conformance', 'log', 'ping', ...RESOURCE_COMMANDS];
async function main(argv: string[]): Promise<number> {
  // The audit has options of its own (src/cli/audit.ts).
  if (argv[0] === 'audit') return auditCommand(argv.slice(1));
  let parsed;
  try {
    parsed = parse(argv);
  } catch (err) {
    process.stderr.write(`error: ${terminalLine((err as Error).message)}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const { command, positionals, flags } = parsed;
  if (flags.help || !command) {
    process.stdout.write(USAGE);
    return command || flags.help ? EXIT.ok : EXIT.usage;
  }
  if (!COMMANDS.includes(command)) {
    process.stderr.write(`error: unknown command "${terminalLine(command)}"\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (command === 'conformance') {
    const url = positionals[positionals.length - 1];
    if (!url) {
      process.stderr.write('error: conformance needs the server URL as its last argument\n');
      return EXIT.usage;
    }
    return runConformance(url, flags);
  }
  const url = positionals[0];
  if (!url) {
    process.stderr.write(`error: ${command} needs a server URL\n\n${USAGE}`);
    return EXIT.usage;
  }

  let conn: Connection | undefined;
  let trace: Trace | undefined;
  let traceMax = DEFAULT_TRACE_ENTRIES;
  let traceSeen = 0;
  /** Lists this run shows cut (named in --json's "truncated" and on stderr). */
  const truncated: Truncated = {};
  const withTruncated = (json: Record<string, unknown>): Record<string, unknown> => {
    if (trace && traceSeen > trace.all().length) truncated.trace = traceTruncation(traceMax, traceSeen - trace.all().length);
    return Object.keys(truncated).length ? { ...json, truncated } : json;
  };
  try {
    const failOn = flags['fail-on'];
    if (failOn !== undefined && failOn !== 'fail' && failOn !== 'warn') throw new InspectorError('config_invalid', `unknown --fail-on level "${terminalLine(failOn).slice(0, 40)}"`, { hint: 'Use fail or warn' });
    const maxPages = intFlag(flags, 'max-pages', 1, 1_000_000) ?? DEFAULT_MAX_PAGES;
    traceMax = intFlag(flags, 'max-trace-entries', 1, 10_000_000) ?? DEFAULT_TRACE_ENTRIES;
    if (command === 'refresh' && !flags.store) {
      throw new InspectorError('config_invalid', 'refresh needs the sign-in stored with --store', { hint: `Sign in first with: mcp-oauth-inspector connect <url> --store <file>, then: mcp-oauth-inspector refresh <url> --store <file>` });
    }
    const secrets: SecretStore = flags.store ? new FileSecretStore(flags.store) : new MemorySecretStore();
    const redactor = new Redactor();
    trace = new Trace(traceMax);
    trace.onEntry(() => traceSeen++);
    conn = buildConnection(url, flags, secrets, stderrLogger(!!flags.trace, (s) => redactor.text(s)), redactor, trace);
    if (flags.trace) conn.trace.onEntry((e) => process.stderr.write(`${traceLine(e)}\n`));
    if (flags['token-stdin']) await useTokenFromText(conn, await readStdinText(process.stdin), { acceptAudienceMismatch: flags['accept-audience-mismatch'] });
    const out = (human: string, json: Record<string, unknown>) => {
      process.stdout.write(flags.json ? jsonOut(withTruncated(json)) : human);
      // In --json a person watching stderr is still told; in human output the text says it.
      if (flags.json) for (const t of Object.values(truncated)) process.stderr.write(`warn ${t.message}\n`);
    };

    if (command === 'log') return await runLogCommand({ conn, follow: !!flags.follow, json: !!flags.json, write: (t) => process.stdout.write(t) });
    if (isResourceCommand(command)) {
      await conn.session.connect();
      return await runResourceCommand(command, { conn, positionals: positionals.slice(1), args: flags.args, cursor: flags.cursor, maxPages, out: (human, json) => out(human, { ...json, trace: conn!.trace.all() }) });
    }
    switch (command) {
      case 'ping': {
        await conn.session.connect();
        const r = await conn.session.ping();
        out(`${terminalLine(conn.serverUrl.href)} answered in ${r.ms} ms (${r.method}${r.method === 'server/discover' ? ': protocol 2026-07-28 has no ping' : ''})\n`, { ping: r, protocolVersion: conn.session.protocolVersion, trace: conn.trace.all() });
        return EXIT.ok;
      }
      case 'connect':
      case 'tools': {
        await conn.session.connect();
        const listed = await conn.session.listToolsPaged(maxPages);
        const tools = listed.tools;
        if (listed.truncated) truncated.tools = toolsTruncation(listed.truncated.maxPages, tools.length);
        const info = conn.session.serverInfo;
        const auth = conn.auth;
        const human = toolsHuman({
          server: { name: info?.name, version: info?.version, url: conn.serverUrl.href, transport: conn.session.transportKind, protocolVersion: conn.session.protocolVersion, era: conn.session.negotiation?.era, negotiatedBy: conn.session.negotiation?.negotiatedBy },
          auth: authSummary(auth),
          tools,
          truncated: truncated.tools,
        });
        out(human, {
          server: { url: conn.serverUrl.href, info, transport: conn.session.transportKind, protocolVersion: conn.session.protocolVersion, negotiation: conn.session.negotiation },
          auth: authSummary(conn.auth),
          tools: tools.map(toolRow),
          trace: conn.trace.all(),
        });
        return EXIT.ok;
      }
      case 'call': {
        const name = positionals[1];
        if (!name) throw new InspectorError('invalid_arguments', 'call needs a tool name', { hint: 'mcp-oauth-inspector call <url> <tool> --args \'{"key":"value"}\'' });
        let args: Record<string, unknown> = {};
        if (flags.args) {
          let v: unknown;
          try {
            v = JSON.parse(flags.args);
          } catch {
            throw new InspectorError('invalid_arguments', '--args is not valid JSON', { hint: 'Pass a JSON object, e.g. --args \'{"text":"hello"}\'' });
          }
          if (!v || typeof v !== 'object' || Array.isArray(v)) throw new InspectorError('invalid_arguments', '--args must be a JSON object');
          args = v as Record<string, unknown>;
        }
        await conn.session.connect();
        const result = await conn.session.callTool(name, args);
        out(callHuman(result), { result, auth: authSummary(conn.auth), trace: conn.trace.all() });
        return result.isError ? EXIT.error : EXIT.ok;
      }
      case 'token': {
        await conn.session.connect();
        if (!conn.auth.tokens) {
          // Sign in now, so there is a token to inspect.
          const disc = await conn.auth.ensureDiscovery();
          await conn.auth.authorize(conn.auth.selectScope(disc, undefined, false));
        }
        const t = conn.auth.tokens!;
        const disc = conn.auth.discovery!;
        const inspection = (await inspectConnectionToken(conn))!;
        out(tokenHuman({ resource: disc.resource, issuer: disc.as.issuer, hasRefreshToken: !!t.refresh_token, inspection }), { inspection, hasRefreshToken: !!t.refresh_token, trace: conn.trace.all() });
        // The inspection ran: 0 whatever it found, unless --fail-on asks (exit 3).
        return tokenExitCode(inspection.findings, failOn as FailOn | undefined);
      }
      case 'refresh': {
        await conn.auth.load();
        const before = conn.auth.tokens;
        if (!before) {
          throw new InspectorError('authorization_required', `${flags.store} holds no sign-in for ${conn.serverUrl.href}`, {
            step: STEP.tokenRefresh,
            hint: `Sign in first: mcp-oauth-inspector connect ${conn.serverUrl.href} --store ${flags.store}`,
          });
        }
        if (!before.refresh_token) {
          throw new InspectorError('refresh_failed', `the sign-in stored for ${conn.serverUrl.href} has no refresh token (the authorization server did not issue one)`, {
            step: STEP.tokenRefresh,
            hint: 'Sign in again (connect); some authorization servers issue a refresh token only for the offline_access scope',
          });
        }
        const next = await conn.auth.refresh();
        const rotated = !!next.refresh_token && next.refresh_token !== before.refresh_token;
        const disc = conn.auth.discovery;
        out(
          refreshHuman({ resource: disc?.resource ?? conn.serverUrl.href, issuer: disc?.as.issuer ?? '?', scope: next.scope, expiresAt: next.expires_at, refreshToken: next.refresh_token ? (rotated ? 'rotated' : 'kept') : 'none', store: flags.store! }),
          { refreshed: true, refreshTokenRotated: rotated, auth: authSummary(conn.auth), trace: conn.trace.all() },
        );
        return EXIT.ok;
      }
      default:
        process.stderr.write(`error: unknown command "${terminalLine(command)}"\n\n${USAGE}`);
        return EXIT.usage;
    }
  } catch (err) {
    const redact = (s: string) => conn?.redactor.text(s) ?? s;
    const code = isInspectorError(err) ? err.code : 'internal';
    let message = redact((err as Error)?.message ?? String(err));
    if (code === 'response_too_large') message += `. Raise the limit with --max-body-bytes <bytes>${flags['max-body-bytes'] ? ` (now ${flags['max-body-bytes']})` : ' (default 5242880)'}`;
    if (flags.json) process.stdout.write(jsonOut(withTruncated({ error: { code, message }, trace: conn?.trace.all() ?? [] })));
    process.stderr.write(errorLine(code, message));
    if (flags.trace && conn) process.stderr.write(`${traceText(conn.trace.all())}\n`);
    return EXIT.error;
  } finally {
    await conn?.close();
  }
}

/**
 * Resolves once everything written to `stream` so far has been handed to the OS, or the reader is
 * gone. `process.exit` does not wait for a pipe's pending writes: exiting without this cut a large
 * `--json` output mid-string (with exit 0) whenever the reading program was slower than us.
 */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) return resolve();
    // Writes complete in order: this empty write's callback runs after every earlier one's.
    stream.write('', () => resolve());
  });
}

// A reader that goes away early (`| head`) is not an error of ours: stop writing, exit as planned.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

async function exitWhenWritten(code: number): Promise<never> {
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  process.exit(code);
}

main(process.argv.slice(2)).then(
  (code) => exitWhenWritten(code),
  (err) => {
    process.stderr.write(errorLine('internal', (err as Error)?.message ?? String(err)));
    return exitWhenWritten(EXIT.error);
  },
);
