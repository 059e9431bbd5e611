/**
 * `mcp-oauth-inspector audit <url>`: the engine's audit (src/core/audit/runner.ts) from a terminal or
 * a CI job. Text by default; `--json` prints the report object; `--junit FILE` and `--markdown FILE`
 * write those renderings too (src/present/audit.ts).
 *
 * Exit status: 0 when no check is `fail`, 1 when any is, 2 only when the audit could not run at all
 * (a usage error, or a server that cannot be reached).
 *
 * The files hold the report only: findings are built from redacted text (the runner scrubs every
 * secret the connection knows), so they are written 0644 like any build artefact.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { auditExitCode, AUDIT_CATEGORIES, type AuditCategory, type AuditReport } from '../shared/audit';
import { runAudit } from '../core/audit/runner';
import { isInspectorError } from '../core/errors';
import { Redactor } from '../core/http/redact';
import { Trace } from '../core/http/trace';
import type { Browser, Logger } from '../core/ports';
import { terminalLine } from '../core/text/terminal';
import { auditJson, auditJunit, auditMarkdown, auditText } from '../present/audit';

export const AUDIT_USAGE = `Usage: mcp-oauth-inspector audit <server-url> [options]

Connects as the inspector does (one sign-in), proves with real requests and negative token probes
whether the server's OAuth is set up right, and says what to fix.

Options:
  --headless                  approve the sign-in without a person (authorization servers that do)
  --open                      open the sign-in in the system browser (default: print its URL)
  --client-id <id>            a pre-registered client id (tried first in the registration matrix)
  --only <category>           run only this category (repeatable): ${AUDIT_CATEGORIES.join(', ')}
  --call-tools all            call every tool (default: only tools annotated readOnlyHint; the others
                              are checked with arguments that fail their input schema)
  --wait-expiry               wait for the access token to expire to probe an expired token
  --other-resource <url>      another resource (http or https URL, no fragment) of the same authorization
                              server: the server must refuse a token issued for it (RFC 8707); default:
                              a made-up path on this server's origin
  --protocol-version <v>      speak exactly this MCP protocol version instead of negotiating
  --timeout <ms>              per-request timeout (default 30000)
  --json                      print the report as JSON
  --junit <file>              also write a JUnit XML report (one testcase per check)
  --markdown <file>           also write a Markdown report
  --verbose                   print the finding of passing checks too
  --trace                     print the redacted trace (every request, numbered as the findings cite them) to stderr
  -h, --help                  this text

Exit status: 0 no check failed; 1 a check failed; 2 the audit could not run (usage, server unreachable).
`;

export const AUDIT_EXIT = { ok: 0, failed: 1, couldNotRun: 2 } as const;

interface AuditFlags {
  headless?: boolean;
  open?: boolean;
  'client-id'?: string;
  only?: string[];
  'call-tools'?: string;
  'wait-expiry'?: boolean;
  'other-resource'?: string;
  'protocol-version'?: string;
  timeout?: string;
  json?: boolean;
  junit?: string;
  markdown?: string;
  verbose?: boolean;
  trace?: boolean;
  help?: boolean;
}

/** Runs the audit command with its arguments (after `audit`); resolves with the exit status. */
export async function auditCommand(argv: string[], io: { stdout: (s: string) => void; stderr: (s: string) => void } = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) }): Promise<number> {
  let flags: AuditFlags;
  let positionals: string[];
  try {
    const parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        headless: { type: 'boolean' },
        open: { type: 'boolean' },
        'client-id': { type: 'string' },
        only: { type: 'string', multiple: true },
        'call-tools': { type: 'string' },
        'wait-expiry': { type: 'boolean' },
        'other-resource': { type: 'string' },
        'protocol-version': { type: 'string' },
        timeout: { type: 'string' },
        json: { type: 'boolean' },
        junit: { type: 'string' },
        markdown: { type: 'string' },
        verbose: { type: 'boolean' },
        trace: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    flags = parsed.values as AuditFlags;
    positionals = parsed.positionals;
  } catch (err) {
    io.stderr(`error: ${terminalLine((err as Error).message)}\n\n${AUDIT_USAGE}`);
    return AUDIT_EXIT.couldNotRun;
  }
  if (flags.help) {
    io.stdout(AUDIT_USAGE);
    return AUDIT_EXIT.ok;
  }
  const usage = (message: string) => {
    io.stderr(`error: ${terminalLine(message)}\n\n${AUDIT_USAGE}`);
    return AUDIT_EXIT.couldNotRun;
  };
  if (positionals.length !== 1) return usage(positionals.length ? `audit takes one server URL, got ${positionals.length} arguments` : 'audit needs the server URL');
  const only = flags.only ?? [];
  const unknown = only.filter((c) => !(AUDIT_CATEGORIES as readonly string[]).includes(c));
  if (unknown.length) return usage(`unknown --only category ${unknown.map((c) => `"${c.slice(0, 40)}"`).join(', ')}; use one of ${AUDIT_CATEGORIES.join(', ')}`);
  const callTools = flags['call-tools'];
  if (callTools !== undefined && callTools !== 'all' && callTools !== 'read-only') return usage(`--call-tools takes "all" (or "read-only", the default), got "${callTools.slice(0, 40)}"`);
  const timeoutMs = flags.timeout === undefined ? undefined : Number(flags.timeout);
  if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0)) return usage('--timeout must be a positive number of milliseconds');
  if (flags.headless && flags.open) return usage('--headless and --open exclude each other');
  const otherResource = flags['other-resource'] === undefined ? undefined : checkOtherResource(flags['other-resource'], positionals[0]);
  if (typeof otherResource === 'object') return usage(otherResource.error);

  const redactor = new Redactor();
  const trace = new Trace(20_000);
  let report: AuditReport;
  try {
    report = await runAudit({
      serverUrl: positionals[0],
      headless: flags.headless,
      browser: flags.open ? systemBrowser(io) : printingBrowser(io),
      clientId: flags['client-id'],
      only: only as AuditCategory[],
      callTools: callTools === 'all' ? 'all' : 'read-only',
      waitExpiry: !!flags['wait-expiry'],
      otherResource,
      protocolVersion: flags['protocol-version'],
      timeoutMs,
      redactor,
      trace,
      logger: quietLogger(io, redactor),
    });
  } catch (err) {
    // The audit could not run at all: a URL that is not one, a refused scheme, an unreachable server.
    const code = isInspectorError(err) ? err.code : 'internal';
    const message = redactor.text((err as Error)?.message ?? String(err));
    if (flags.json) io.stdout(`${JSON.stringify({ error: { code, message } }, null, 2)}\n`);
    io.stderr(`error [${terminalLine(code)}] ${terminalLine(message)}\n`);
    return AUDIT_EXIT.couldNotRun;
  }

  try {
    if (flags.junit) writeFileSync(flags.junit, auditJunit(report), { mode: 0o644 });
    if (flags.markdown) writeFileSync(flags.markdown, auditMarkdown(report), { mode: 0o644 });
  } catch (err) {
    io.stderr(`error: could not write the report file: ${terminalLine((err as Error).message)}\n`);
    return AUDIT_EXIT.couldNotRun;
  }
  if (flags.trace) io.stderr(`${traceLines(trace)}\n`);
  io.stdout(flags.json ? auditJson(report) : auditText(report, { verbose: flags.verbose }));
  return auditExitCode(report);
}

/**
 * `--other-resource`: a resource indicator is an absolute URI without a fragment (RFC 8707 §2); the
 * audit asks the authorization server for a token for it and presents that token to the server
 * under audit, so it must be another resource than that server. Only named, never fetched.
 */
export function checkOtherResource(value: string, serverUrl: string): string | { error: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { error: `--other-resource takes an absolute URL, got "${value.slice(0, 80)}"` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { error: `--other-resource takes an http or https URL, got a ${url.protocol} one` };
  if (url.hash || value.includes('#')) return { error: '--other-resource must not have a fragment (RFC 8707 §2)' };
  if (url.username || url.password) return { error: '--other-resource must not carry a user name or password' };
  let server: URL | undefined;
  try {
    server = new URL(serverUrl);
  } catch {
    server = undefined;
  }
  const bare = (u: URL) => `${u.origin}${u.pathname.replace(/\/+$/, '')}${u.search}`;
  if (server && bare(server) === bare(url)) return { error: '--other-resource must name another resource than the server under audit' };
  return url.href;
}

function quietLogger(io: { stderr: (s: string) => void }, redactor: Redactor): Logger {
  const w = (level: string, m: unknown) => io.stderr(`${level} ${terminalLine(redactor.text(m instanceof Error ? m.message : String(m)))}\n`);
  return { trace: () => {}, debug: () => {}, info: () => {}, warn: (m) => w('warn', m), error: (m) => w('error', m) };
}

/** Prints the sign-in URL on stderr for the person to open (the default). */
function printingBrowser(io: { stderr: (s: string) => void }): Browser {
  return {
    async open(url) {
      io.stderr(`Sign in at ${terminalLine(url.host)} — open this URL in a browser:\n${terminalLine(url.href)}\n`);
    },
  };
}

/** Opens the sign-in URL in the system browser: the URL is one argv element, never parsed by a shell. */
function systemBrowser(io: { stderr: (s: string) => void }): Browser {
  return {
    async open(url) {
      io.stderr(`Opening ${terminalLine(url.host)} for sign-in…\n`);
      const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer.exe' : 'xdg-open';
      const child = spawn(cmd, [url.href], { stdio: 'ignore', detached: true, shell: false });
      child.on('error', () => io.stderr(`Could not start ${cmd}; open this URL yourself:\n${terminalLine(url.href)}\n`));
      child.unref();
    },
  };
}

/** The trace as the findings cite it: `#<id>` and the request, redacted (the guarded fetch stored it so). */
function traceLines(trace: Trace): string {
  return trace
    .all()
    .map((e) =>
      terminalLine(
        e.kind === 'note'
          ? `   [${e.level}] ${e.step}: ${e.message}`
          : `#${e.id} ${e.step}: ${e.request.method} ${e.request.url} → ${e.response ? e.response.status : (e.error?.code ?? '?')} (${e.durationMs} ms)`,
      ),
    )
    .join('\n');
}
