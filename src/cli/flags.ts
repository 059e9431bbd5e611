/**
 * The CLI's options (node:util parseArgs, strict) and the engine connection they describe: the
 * registration policy, client authentication, grant, scopes, limits and the terminal's ports. Every
 * value is checked here; anything wrong is a config_invalid error that says which flag and what to
 * pass. Kept apart from main.ts (which runs on import), so conformance.ts and the tests can use it.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createConnection, type Connection } from '../core/connection';
import { InspectorError } from '../core/errors';
import type { Redactor } from '../core/http/redact';
import type { Trace } from '../core/http/trace';
import { elicitationHandler } from '../core/mcp/elicitation';
import type { GrantKind } from '../core/oauth/authManager';
import type { RegistrationPolicy, TokenEndpointAuthMethod } from '../core/oauth/registration';
import type { Logger, SecretStore } from '../core/ports';
import { terminalLine } from '../core/text/terminal';
import { printingBrowser, systemBrowser, terminalElicitation } from './terminalPorts';

export interface Flags {
  registration?: string;
  'client-id'?: string;
  'client-secret'?: string;
  'auth-method'?: string;
  'private-key'?: string;
  'client-metadata-url'?: string;
  grant?: string;
  'assertion-file'?: string;
  scopes?: string;
  headless?: boolean;
  open?: boolean;
  store?: string;
  args?: string;
  cursor?: string;
  timeout?: string;
  'redirect-port'?: string;
  'protocol-version'?: string;
  'max-pages'?: string;
  'max-trace-entries'?: string;
  'max-body-bytes'?: string;
  'fail-on'?: string;
  json?: boolean;
  trace?: boolean;
  follow?: boolean;
  'token-stdin'?: boolean;
  'accept-audience-mismatch'?: boolean;
  help?: boolean;
}

export function parse(argv: string[]): { command?: string; positionals: string[]; flags: Flags } {
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
      'assertion-file': { type: 'string' },
      scopes: { type: 'string' },
      headless: { type: 'boolean' },
      open: { type: 'boolean' },
      store: { type: 'string' },
      args: { type: 'string' },
      cursor: { type: 'string' },
      timeout: { type: 'string' },
      'redirect-port': { type: 'string' },
      'protocol-version': { type: 'string' },
      'max-pages': { type: 'string' },
      'max-trace-entries': { type: 'string' },
      'max-body-bytes': { type: 'string' },
      'fail-on': { type: 'string' },
      json: { type: 'boolean' },
      trace: { type: 'boolean' },
      follow: { type: 'boolean' },
      'token-stdin': { type: 'boolean' },
      'accept-audience-mismatch': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  return { command: positionals[0], positionals: positionals.slice(1), flags: values as Flags };
}

const POLICIES: RegistrationPolicy[] = ['auto', 'preregistered', 'cimd', 'dcr', 'manual'];
const METHODS: TokenEndpointAuthMethod[] = ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'];

/** An integer option within [min, max], or undefined when not given; anything else is config_invalid. */
export function intFlag(flags: Flags, name: 'redirect-port' | 'max-pages' | 'max-trace-entries' | 'max-body-bytes', min: number, max: number): number | undefined {
  const raw = flags[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new InspectorError('config_invalid', `--${name} must be a whole number from ${min} to ${max}, got "${terminalLine(raw).slice(0, 40)}"`);
  }
  return n;
}

export function buildConnection(url: string, flags: Flags, secrets: SecretStore, logger?: Logger, redactor?: Redactor, trace?: Trace): Connection {
  const policy = (flags.registration ?? 'auto') as RegistrationPolicy;
  if (!POLICIES.includes(policy)) throw new InspectorError('config_invalid', `unknown registration policy "${flags.registration}"`, { hint: `Use one of ${POLICIES.join(', ')}` });
  const method = flags['auth-method'] as TokenEndpointAuthMethod | undefined;
  if (method && !METHODS.includes(method)) throw new InspectorError('config_invalid', `unknown auth method "${method}"`, { hint: `Use one of ${METHODS.join(', ')}` });
  const grant = (flags.grant ?? 'authorization_code') as GrantKind;
  if (grant !== 'authorization_code' && grant !== 'client_credentials' && grant !== 'workload_identity') {
    throw new InspectorError('config_invalid', `unknown grant "${flags.grant}"`, { hint: 'Use authorization_code, client_credentials or workload_identity' });
  }
  let assertion: string | undefined;
  if (grant === 'workload_identity') {
    if (flags['assertion-file']) {
      try {
        assertion = readFileSync(flags['assertion-file'], 'utf8').trim();
      } catch {
        throw new InspectorError('config_invalid', `cannot read the assertion file ${flags['assertion-file']}`, { hint: "Pass the file holding the workload's JWT" });
      }
    } else {
      assertion = process.env.MCP_WORKLOAD_JWT?.trim();
    }
    if (!assertion) throw new InspectorError('config_invalid', 'the workload_identity grant needs the workload JWT', { hint: 'Pass --assertion-file <file> or set MCP_WORKLOAD_JWT' });
  }
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
  const redirectPort = intFlag(flags, 'redirect-port', 1, 65_535);
  const maxBodyBytes = intFlag(flags, 'max-body-bytes', 1, Number.MAX_SAFE_INTEGER);
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
    workload: assertion ? { assertion } : undefined,
    scopes: flags.scopes ? flags.scopes.split(/\s+/).filter(Boolean) : undefined,
    timeoutMs,
    redirectPort,
    maxBodyBytes,
    protocolVersion: flags['protocol-version'],
    logger,
    redactor,
    trace,
    onElicit: elicitationHandler(terminalElicitation(!!flags.json)),
  });
}
