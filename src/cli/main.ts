/**
 * mcp-oauth-inspector — the headless front end over the engine.
 *
 *   mcp-oauth-inspector connect <url>            discover, sign in if needed, initialize, list tools
 *   mcp-oauth-inspector tools <url>              tools with their security requirements
 *   mcp-oauth-inspector call <url> <tool> --args '{"a":1}'
 *   mcp-oauth-inspector token <url>              inspect the access token (decoded, verified, checked)
 *   mcp-oauth-inspector conformance <url>        the adapter the official MCP conformance suite runs
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createConnection, type Connection } from '../core/connection';
import { InspectorError, isInspectorError } from '../core/errors';
import { Redactor } from '../core/http/redact';
import type { TraceEntry } from '../core/http/trace';
import { inspectConnectionToken } from '../core/inspect/connectionToken';
import { MemorySecretStore } from '../core/memorySecretStore';
import { elicitationHandler, type ElicitationUi } from '../core/mcp/elicitation';
import type { ToolInfo } from '../core/mcp/session';
import type { GrantKind } from '../core/oauth/authManager';
import type { RegistrationPolicy, TokenEndpointAuthMethod } from '../core/oauth/registration';
import type { Browser, Logger, SecretStore } from '../core/ports';
import { runConformance } from './conformance';
import { FileSecretStore } from './fileSecretStore';

const USAGE = `Usage: mcp-oauth-inspector <command> <server-url> [options]

Commands:
  connect <url>               discover, sign in if the server needs it, initialize and list tools
  tools <url>                 list tools with their securitySchemes and whether the token covers them
  call <url> <tool>           call a tool (--args '<json object>')
  token <url>                 inspect the stored access token (needs --store, or signs in first)
  conformance <url>           run what the MCP conformance suite's current scenario needs

Options:
  --registration <policy>     auto | preregistered | cimd | dcr | manual   (default auto)
  --client-id <id>            a pre-registered client id
  --client-secret <secret>    its secret (confidential clients); prefer MCP_CLIENT_SECRET in the environment
  --auth-method <method>      none | client_secret_basic | client_secret_post | private_key_jwt
  --private-key <file>        PKCS#8 PEM for private_key_jwt
  --client-metadata-url <url> the https URL used as client_id with Client ID Metadata Documents
  --grant <grant>             authorization_code (default) | client_credentials
  --scopes "<a b>"            scopes to request (default: what the server asks for)
  --headless                  request the authorization URL ourselves and follow redirects
  --open                      open the authorization URL in the system browser (default: print it)
  --store <file>              keep tokens in this file (0600) instead of memory
  --args <json>               tool arguments for "call"
  --timeout <ms>              per-request timeout (default 30000)
  --json                      machine-readable output (includes the redacted OAuth trace)
  --trace                     print the redacted OAuth trace to stderr
  -h, --help                  this text
`;

interface Flags {
  registration?: string;
  'client-id'?: string;
  'client-secret'?: string;
  'auth-method'?: string;
  'private-key'?: string;
  'client-metadata-url'?: string;
  grant?: string;
  scopes?: string;
  headless?: boolean;
  open?: boolean;
  store?: string;
  args?: string;
  timeout?: string;
  json?: boolean;
  trace?: boolean;
  help?: boolean;
}

function parse(argv: string[]): { command?: string; positionals: string[]; flags: Flags } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      registration: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      'auth-method': { type: 'string' },
      'private-key': { type: 'string' },
      'client-metadata-url': { type: 'string' },
      grant: { type: 'string' },
      scopes: { type: 'string' },
      headless: { type: 'boolean' },
      open: { type: 'boolean' },
      store: { type: 'string' },
      args: { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
      trace: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  return { command: positionals[0], positionals: positionals.slice(1), flags: values as Flags };
}

const COMMANDS = ['connect', 'tools', 'call', 'token', 'conformance'];
const POLICIES: RegistrationPolicy[] = ['auto', 'preregistered', 'cimd', 'dcr', 'manual'];
const METHODS: TokenEndpointAuthMethod[] = ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'];

function stderrLogger(verbose: boolean, redact: (s: string) => string): Logger {
  const w = (level: string, m: unknown) => process.stderr.write(`${level} ${redact(m instanceof Error ? m.message : String(m))}\n`);
  return {
    trace: () => {},
    debug: (m) => verbose && w('debug', m),
    info: (m) => verbose && w('info', m),
    warn: (m) => w('warn', m),
    error: (m) => w('error', m),
  };
}

/** Open a URL in the system browser: the URL is one argv element, never parsed by a shell. */
function systemBrowser(): Browser {
  return {
    async open(url) {
      process.stderr.write(`Opening ${url.host} for sign-in…\n`);
      const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer.exe' : 'xdg-open';
      const child = spawn(cmd, [url.href], { stdio: 'ignore', detached: true, shell: false });
      child.on('error', () => process.stderr.write(`Could not start ${cmd}; open this URL yourself:\n${url.href}\n`));
      child.unref();
    },
  };
}

function printingBrowser(): Browser {
  return {
    async open(url) {
      process.stderr.write(`Sign in at ${url.host} — open this URL in a browser:\n${url.href}\n`);
    },
  };
}

export function buildConnection(url: string, flags: Flags, secrets: SecretStore, logger?: Logger, redactor?: Redactor): Connection {
  const policy = (flags.registration ?? 'auto') as RegistrationPolicy;
  if (!POLICIES.includes(policy)) throw new InspectorError('config_invalid', `unknown registration policy "${flags.registration}"`, { hint: `Use one of ${POLICIES.join(', ')}` });
  const method = flags['auth-method'] as TokenEndpointAuthMethod | undefined;
  if (method && !METHODS.includes(method)) throw new InspectorError('config_invalid', `unknown auth method "${method}"`, { hint: `Use one of ${METHODS.join(', ')}` });
  const grant = (flags.grant ?? 'authorization_code') as GrantKind;
  if (grant !== 'authorization_code' && grant !== 'client_credentials') throw new InspectorError('config_invalid', `unknown grant "${flags.grant}"`, { hint: 'Use authorization_code or client_credentials' });
  let privateKey: string | undefined;
  if (flags['private-key']) {
    try {
      privateKey = readFileSync(flags['private-key'], 'utf8');
    } catch {
      throw new InspectorError('config_invalid', `cannot read the private key file ${flags['private-key']}`);
    }
  }
  const timeoutMs = flags.timeout ? Number(flags.timeout) : undefined;
  if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new InspectorError('config_invalid', '--timeout must be a positive number of milliseconds');
  return createConnection({
    serverUrl: url,
    secrets,
    headless: flags.headless,
    browser: flags.open ? systemBrowser() : printingBrowser(),
    client: {
      policy,
      client_id: flags['client-id'],
      client_secret: flags['client-secret'] ?? process.env.MCP_CLIENT_SECRET,
      token_endpoint_auth_method: method,
      private_key_pem: privateKey,
      client_metadata_url: flags['client-metadata-url'],
    },
    grant,
    scopes: flags.scopes ? flags.scopes.split(/\s+/).filter(Boolean) : undefined,
    timeoutMs,
    logger,
    redactor,
    onElicit: elicitationHandler(terminalElicitation(!!flags.json)),
  });
}

/**
 * A server's form-mode elicitation in a terminal: asked on stderr, one field per line, when stdin is
 * a terminal and the output is not --json; otherwise declined with a note (a script cannot answer).
 */
function terminalElicitation(json: boolean): ElicitationUi {
  const interactive = !json && process.stdin.isTTY === true;
  const line = async (q: string): Promise<string | null> => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await new Promise<string | null>((resolve) => {
        rl.once('close', () => resolve(null));
        rl.question(q, (a) => resolve(a));
      });
    } finally {
      rl.close();
    }
  };
  const plain = (t: string) => t.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
  return {
    async intro(message, fields) {
      if (!interactive) {
        process.stderr.write(`The server asks for input (${fields.map((f) => f.name).join(', ')}): ${plain(message)} — declined (not a terminal, or --json).\n`);
        return 'decline';
      }
      process.stderr.write(`The server asks: ${plain(message)}\n`);
      const a = await line(`Answer ${fields.length} field${fields.length === 1 ? '' : 's'}? [y]es / [n]o (decline) / [c]ancel: `);
      return a === null || /^c/i.test(a) ? 'cancel' : /^n/i.test(a) ? 'decline' : 'accept';
    },
    async ask(f) {
      const choices = f.options?.map((o, i) => `${i + 1}) ${plain(o.label)}`).join('  ');
      const hint = f.kind === 'boolean' ? ' [y/n]' : choices ? ` ${choices}${f.kind === 'multi' ? ' (numbers, comma-separated)' : ''}` : '';
      const def = f.default === undefined ? '' : ` (default ${plain(JSON.stringify(f.default))})`;
      for (;;) {
        const a = await line(`${plain(f.label)}${f.required ? '' : ' (optional)'}${hint}${def}${f.description ? ` — ${plain(f.description)}` : ''}: `);
        if (a === null) return null;
        const t = a.trim();
        if (t === '') {
          if (!f.required) return undefined;
          process.stderr.write('  required\n');
          continue;
        }
        if (f.kind === 'boolean') return /^y/i.test(t);
        if (f.kind === 'choice' || f.kind === 'multi') {
          const picked = t.split(',').map((x) => f.options?.[Number(x.trim()) - 1]?.value);
          if (picked.some((v) => v === undefined) || (f.kind === 'choice' && picked.length !== 1)) {
            process.stderr.write('  choose by number\n');
            continue;
          }
          return f.kind === 'choice' ? picked[0]! : (picked as string[]);
        }
        const problem = f.check(t);
        if (!problem) return f.parse(t);
        process.stderr.write(`  ${problem}\n`);
      }
    },
    unsupported(why) {
      process.stderr.write(`Declined a request for input: ${why}.\n`);
    },
  };
}

function toolRow(t: ToolInfo): Record<string, unknown> {
  const s = t.security;
  return {
    name: t.tool.name,
    title: t.tool.title ?? t.tool.annotations?.title,
    description: t.tool.description,
    security: {
      declared: s.schemes ?? null,
      source: s.source,
      anonymous: s.anonymous,
      requiresAuth: s.requiresAuth,
      scopesNeeded: s.scopesNeeded,
      scopesHeld: s.scopesHeld,
      missing: s.missing,
      covered: s.covered,
    },
  };
}

function securityText(t: ToolInfo): string {
  const s = t.security;
  const declared = !s.schemes ? 'server default' : s.schemes.map((x) => (x.type === 'noauth' ? 'public' : `oauth2${x.scopes.length ? `(${x.scopes.join(' ')})` : ''}`)).join(' | ');
  const state = s.covered ? (s.requiresAuth ? 'unlocked' : 'open') : `locked${s.missing.length ? `, missing ${s.missing.join(' ')}` : ''}`;
  return `${declared} — ${state}`;
}

function traceText(entries: readonly TraceEntry[]): string {
  return entries
    .map((e) => (e.kind === 'note' ? `  [${e.level}] ${e.step}: ${e.message}${e.spec ? ` (${e.spec})` : ''}` : `  ${e.request.method} ${e.request.url} → ${e.response ? e.response.status : e.error?.code} (${e.durationMs} ms)`))
    .join('\n');
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parse(argv);
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { command, positionals, flags } = parsed;
  if (flags.help || !command) {
    process.stdout.write(USAGE);
    return command || flags.help ? 0 : 2;
  }
  if (!COMMANDS.includes(command)) {
    process.stderr.write(`error: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  if (command === 'conformance') {
    const url = positionals[positionals.length - 1];
    if (!url) {
      process.stderr.write('error: conformance needs the server URL as its last argument\n');
      return 2;
    }
    return runConformance(url, flags);
  }
  const url = positionals[0];
  if (!url) {
    process.stderr.write(`error: ${command} needs a server URL\n\n${USAGE}`);
    return 2;
  }

  let conn: Connection | undefined;
  try {
    const secrets: SecretStore = flags.store ? new FileSecretStore(flags.store) : new MemorySecretStore();
    const redactor = new Redactor();
    conn = buildConnection(url, flags, secrets, stderrLogger(!!flags.trace, (s) => redactor.text(s)), redactor);
    if (flags.trace) conn.trace.onEntry((e) => process.stderr.write(`${traceText([e])}\n`));
    const out = (human: string, json: unknown) => process.stdout.write(flags.json ? `${JSON.stringify(json, null, 2)}\n` : `${human}\n`);

    switch (command) {
      case 'connect':
      case 'tools': {
        await conn.session.connect();
        const tools = await conn.session.listTools();
        const info = conn.session.serverInfo;
        const auth = conn.auth;
        const human = [
          `Connected to ${info?.name ?? 'server'} ${info?.version ?? ''} at ${conn.serverUrl.href} (${conn.session.transportKind}${conn.session.protocolVersion ? `, protocol ${conn.session.protocolVersion}` : ''})`,
          auth.tokens
            ? `Signed in at ${auth.discovery?.as.issuer} as client ${auth.client?.client_id} (${auth.client?.mode}); scopes: ${auth.tokens.scope ?? '(none granted)'}${auth.tokens.expires_at ? `; expires ${new Date(auth.tokens.expires_at * 1000).toISOString()}` : ''}`
            : 'Not signed in (no operation needed a token yet)',
          `${tools.length} tool${tools.length === 1 ? '' : 's'}:`,
          ...tools.map((t) => `  ${t.tool.name} — ${securityText(t)}`),
        ].join('\n');
        out(human, {
          server: { url: conn.serverUrl.href, info, transport: conn.session.transportKind, protocolVersion: conn.session.protocolVersion },
          auth: authSummary(conn),
          tools: tools.map(toolRow),
          trace: conn.trace.all(),
        });
        return 0;
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
        const text = result.content
          .map((c) => (c.type === 'text' ? c.text : `[${c.type}]`))
          .join('\n');
        out(`${result.isError ? 'Tool error:\n' : ''}${text}${result.structuredContent ? `\n${JSON.stringify(result.structuredContent, null, 2)}` : ''}`, { result, auth: authSummary(conn), trace: conn.trace.all() });
        return result.isError ? 1 : 0;
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
        const human = [
          `Token for ${disc.resource} from ${disc.as.issuer} (${inspection.format}${inspection.verified ? ', signature verified' : ''})`,
          `  subject: ${inspection.subject ?? '-'}; audience: ${(inspection.audience ?? []).join(' ') || '-'}; scopes: ${inspection.scopes.join(' ') || '-'}`,
          `  expires: ${inspection.expiresAt ? new Date(inspection.expiresAt * 1000).toISOString() : 'unknown'}; refresh token: ${t.refresh_token ? 'yes' : 'no'}`,
          ...inspection.findings.map((f) => `  [${f.level}] ${f.message}`),
        ].join('\n');
        out(human, { inspection, hasRefreshToken: !!t.refresh_token, trace: conn.trace.all() });
        return inspection.findings.some((f) => f.level === 'fail') ? 1 : 0;
      }
      default:
        process.stderr.write(`error: unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    const redact = (s: string) => conn?.redactor.text(s) ?? s;
    const code = isInspectorError(err) ? err.code : 'internal';
    const message = redact((err as Error)?.message ?? String(err));
    if (flags.json) process.stdout.write(`${JSON.stringify({ error: { code, message }, trace: conn?.trace.all() ?? [] }, null, 2)}\n`);
    process.stderr.write(`error [${code}]: ${message}\n`);
    if (flags.trace && conn) process.stderr.write(`${traceText(conn.trace.all())}\n`);
    return 1;
  } finally {
    await conn?.close();
  }
}

function authSummary(conn: Connection) {
  const a = conn.auth;
  return {
    signedIn: !!a.tokens,
    issuer: a.discovery?.as.issuer,
    resource: a.discovery?.resource,
    backCompat: a.discovery?.backCompat,
    registration: a.client ? { mode: a.client.mode, client_id: a.client.client_id, token_endpoint_auth_method: a.client.token_endpoint_auth_method } : undefined,
    scopes: a.tokens?.scope?.split(' ') ?? [],
    expiresAt: a.tokens?.expires_at,
    hasRefreshToken: !!a.tokens?.refresh_token,
  };
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`error [internal]: ${(err as Error)?.message ?? String(err)}\n`);
    process.exit(1);
  },
);
