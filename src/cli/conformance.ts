/**
 * The adapter the official MCP conformance suite runs (`… client --command "node dist/cli.js
 * conformance"`). It reads MCP_CONFORMANCE_SCENARIO and MCP_CONFORMANCE_CONTEXT and configures the
 * SAME engine everything else uses: a client configuration (pre-registered credentials, a private
 * key, the CIMD URL the suite expects), headless authorization (the suite's mock authorization
 * server approves without a person), and what to do once connected. There is no scenario-specific
 * code inside the engine.
 */
import type { Tool } from '@modelcontextprotocol/client';
import { createConnection, type Connection } from '../core/connection';
import { isInspectorError } from '../core/errors';
import { MemorySecretStore } from '../core/memorySecretStore';
import type { GrantKind } from '../core/oauth/authManager';
import type { CrossAppAccessConfig, WorkloadIdentityConfig } from '../core/oauth/grants';
import type { ClientConfig } from '../core/oauth/registration';
import type { Logger } from '../core/ports';
import { sampleArguments } from '../core/mcp/sampleArguments';
import { Skills } from '../core/skills';
import { terminalLine } from '../core/text/terminal';

/** The client_id the suite expects for Client ID Metadata Documents (it never fetches it). */
const CONFORMANCE_CLIENT_METADATA_URL = 'https://conformance-test.local/client-metadata.json';

interface ScenarioPlan {
  client: ClientConfig;
  grant: GrantKind;
  crossApp?: CrossAppAccessConfig;
  workload?: WorkloadIdentityConfig;
  /** Skills extension: 'list' lists the server's skills only; 'load' also loads the first one (verified). */
  skills?: 'list' | 'load';
  /** Tools to call after listing, by name; '*first' = the first listed tool, '*all' = every listed tool in order. */
  calls: string[];
  /** List the tools even when nothing is called (a scenario that checks what the client does with a listing). */
  listOnly?: boolean;
  /** Arguments for a call, when the scenario's checks need particular values (else sample arguments from the schema). */
  argsFor?: (tool: Tool, listed: Tool[]) => Record<string, unknown> | undefined;
}

/** The arguments the http-custom-headers scenario exercises SEP-2243 mirroring and encoding with. */
const CUSTOM_HEADER_ARGS: Record<string, Record<string, unknown>> = {
  test_custom_headers: {
    region: 'us-west1',
    priority: 42,
    verbose: false,
    debug: true,
    empty_val: '',
    method_val: 'test-method',
    float_val: 3.14159,
    non_ascii_val: 'Hello, 世界',
    whitespace_val: ' padded ',
    leading_space_val: ' us-west1',
    trailing_space_val: 'us-west1 ',
    internal_space_val: 'us west 1',
    control_char_val: 'line1\nline2',
    crlf_val: 'line1\r\nline2',
    tab_val: '\tindented',
    query: 'SELECT * FROM users',
  },
  test_custom_headers_null: { region: 'us-east1', priority: 1, verbose: null, query: 'SELECT 1' },
};

function readContext(): Record<string, string> {
  const raw = process.env.MCP_CONFORMANCE_CONTEXT;
  if (!raw) return {};
  try {
    const v = JSON.parse(raw) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const out: Record<string, string> = {};
      for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
      return out;
    }
  } catch {
    /* fall through */
  }
  throw new Error('MCP_CONFORMANCE_CONTEXT is not a JSON object');
}

export function planFor(scenario: string, ctx: Record<string, string>, clientMetadataUrl?: string): ScenarioPlan {
  const client: ClientConfig = { policy: 'auto', client_metadata_url: clientMetadataUrl ?? CONFORMANCE_CLIENT_METADATA_URL };
  const plan: ScenarioPlan = { client, grant: 'authorization_code', calls: ['*first'] };
  switch (scenario) {
    case 'initialize':
      plan.calls = [];
      break;
    case 'tools_call':
      plan.calls = ['add_numbers'];
      break;
    case 'elicitation-sep1034-client-defaults':
      plan.calls = ['test_client_elicitation_defaults'];
      break;
    case 'sse-retry':
      plan.calls = ['test_reconnection'];
      break;
    case 'sep-2322-client-request-state':
    case 'http-invalid-tool-headers':
      plan.calls = ['*all'];
      break;
    case 'http-custom-headers':
      plan.calls = ['*all'];
      plan.argsFor = (tool) => CUSTOM_HEADER_ARGS[tool.name];
      break;
    case 'json-schema-ref-no-deref':
      plan.calls = [];
      plan.listOnly = true;
      break;
    case 'json-schema-2020-12-preservation':
      // Round-trips the focal tool's inputSchema, as listed, through the echo tool.
      plan.calls = ['json_schema_echo'];
      plan.argsFor = (tool, listed) => (tool.name === 'json_schema_echo' ? { schema: listed.find((t) => t.name === 'json_schema_2020_12_tool')?.inputSchema ?? {} } : undefined);
      break;
    case 'auth/pre-registration':
      Object.assign(client, { policy: 'preregistered', client_id: ctx.client_id, client_secret: ctx.client_secret });
      break;
    case 'auth/client-credentials-basic':
      Object.assign(client, { policy: 'preregistered', client_id: ctx.client_id, client_secret: ctx.client_secret, token_endpoint_auth_method: 'client_secret_basic' });
      plan.grant = 'client_credentials';
      break;
    case 'auth/client-credentials-jwt':
      Object.assign(client, {
        policy: 'preregistered',
        client_id: ctx.client_id,
        private_key_pem: ctx.private_key_pem,
        signing_alg: ctx.signing_algorithm ?? 'ES256',
        token_endpoint_auth_method: 'private_key_jwt',
      });
      plan.grant = 'client_credentials';
      break;
    case 'auth/wif-jwt-bearer':
      // Workload identity federation: the suite hands the workload's JWT (audience its AS) and a client id.
      Object.assign(client, { policy: 'preregistered', client_id: ctx.client_id, token_endpoint_auth_method: 'none' });
      plan.grant = 'workload_identity';
      plan.workload = { assertion: ctx.valid_jwt };
      break;
    // Enterprise-managed authorization (suite 0.2.0: the cross-app access scenario under its new name).
    case 'auth/enterprise-managed-authorization':
    case 'auth/cross-app-access-complete-flow':
      Object.assign(client, { policy: 'preregistered', client_id: ctx.client_id, client_secret: ctx.client_secret, token_endpoint_auth_method: 'client_secret_basic' });
      plan.grant = 'cross_app_access';
      plan.crossApp = {
        idp_issuer: ctx.idp_issuer,
        idp_token_endpoint: ctx.idp_token_endpoint,
        idp_client_id: ctx.idp_client_id,
        idp_id_token: ctx.idp_id_token,
      };
      break;
    case 'sep-2640-client-no-prefetch':
      plan.skills = 'list';
      plan.calls = [];
      break;
    case 'sep-2640-client-verify-digest':
    case 'sep-2640-client-verify-size':
    case 'sep-2640-client-verify-frontmatter':
      plan.skills = 'load';
      plan.calls = [];
      break;
    default:
      break;
  }
  return plan;
}

export async function runConformance(url: string, flags: { 'client-metadata-url'?: string; trace?: boolean }): Promise<number> {
  const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '';
  let conn: Connection | undefined;
  // One line per message, server text escaped (core/text/terminal): a server cannot write controls or forge lines.
  const log = (m: string) => process.stderr.write(`${terminalLine(conn ? conn.redactor.text(m) : m)}\n`);
  const logger: Logger = { trace() {}, debug() {}, info: (m) => log(`info ${m}`), warn: (m) => log(`warn ${m}`), error: (m) => log(`error ${m instanceof Error ? m.message : m}`) };
  try {
    const plan = planFor(scenario, readContext(), flags['client-metadata-url']);
    conn = createConnection({
      serverUrl: url,
      secrets: new MemorySecretStore(),
      headless: true,
      logger,
      client: plan.client,
      grant: plan.grant,
      crossApp: plan.crossApp,
      workload: plan.workload,
      // The suite's scenarios answer elicitation with the schema's defaults; the SDK fills them in
      // because the client declares elicitation.form.applyDefaults.
      onElicit: async () => ({ action: 'accept', content: {} }),
    });
    conn.trace.onEntry((e) => {
      if (e.kind === 'note') log(`[${e.level}] ${e.step}: ${e.message}`);
      else log(`${e.request.method} ${e.request.url} → ${e.response?.status ?? e.error?.code}`);
    });
    await conn.session.connect();
    log(`connected: ${conn.session.serverInfo?.name ?? 'server'} (${conn.session.transportKind}, protocol ${conn.session.protocolVersion ?? '?'})`);
    if (plan.skills) {
      const skills = new Skills(conn.session.client);
      const listed = await skills.list();
      log(`skills: ${listed.map((s) => s.uri).join(', ') || '(none)'}`);
      if (plan.skills === 'load' && listed[0]) {
        const loaded = await skills.load(listed[0]);
        log(`loaded ${loaded.uri}: ${loaded.files.length} file(s) verified`);
      }
    }
    if (plan.calls.length === 0 && !plan.listOnly) return 0;
    const tools = await conn.session.listTools();
    log(`tools: ${tools.map((t) => t.tool.name).join(', ') || '(none)'}`);
    const listed = tools.map((t) => t.tool);
    const calls = plan.calls.flatMap((c) => (c === '*all' ? listed.map((t) => t.name) : [c]));
    for (const name of calls) {
      const tool = name === '*first' ? listed[0] : listed.find((t) => t.name === name);
      if (!tool) {
        if (name === '*first') continue;
        throw new Error(`the server has no tool "${name}"`);
      }
      const args = plan.argsFor?.(tool, listed) ?? (tool.name === 'add_numbers' ? { a: 5, b: 3 } : sampleArguments(tool));
      const result = await conn.session.callTool(tool.name, args);
      log(`called ${tool.name}: ${result.isError ? 'error' : 'ok'}`);
    }
    return 0;
  } catch (err) {
    const code = isInspectorError(err) ? err.code : 'internal';
    log(`error [${code}]: ${(err as Error)?.message ?? String(err)}`);
    return 1;
  } finally {
    await conn?.close();
  }
}
