/**
 * A minimal audit run for the check-module tests: a real connection signed in headless against the
 * fixture, the real probe (src/core/audit/probe.ts), and a context that collects what the phases
 * report. Every token a probe sends is recorded, so tests can search outputs for them.
 */
import { AUDIT_CHECKS, type AuditCheck } from '../../../src/shared/audit';
import type { AuditContext, AuditFacts, AuditPhase, AuditRunOptions } from '../../../src/core/audit/context';
import { createProbe } from '../../../src/core/audit/probe';
import { createConnection, type Connection } from '../../../src/core/connection';
import { MemorySecretStore } from '../../../src/core/memorySecretStore';

export interface HarnessRun {
  checks: AuditCheck[];
  conn: Connection;
  facts: AuditFacts;
  /** Every token a probe presented (real, derived, forged). */
  sentTokens: string[];
}

export async function runPhases(srv: { mcpUrl: string }, phases: AuditPhase[], o: Partial<AuditRunOptions> & { signIn?: boolean; scope?: string; probesFailAfter?: number } = {}): Promise<HarnessRun> {
  const conn = createConnection({ serverUrl: srv.mcpUrl, secrets: new MemorySecretStore(), headless: true, client: { policy: 'dcr' }, timeoutMs: 5000 });
  const facts: AuditFacts = { era: 'legacy', protocolVersion: '2025-06-18' };
  try {
    facts.discovery = await conn.auth.ensureDiscovery();
    if (o.signIn !== false) facts.tokens = await conn.auth.authorize(o.scope ?? 'mcp notes.read notes.write');
    else facts.signInFailure = { code: 'authorization_denied', message: 'sign-in refused (test)' };
    const probe = createProbe({ conn, facts });
    const sentTokens: string[] = [];
    const listed = await probe('tools/list', {}, facts.tokens ? { kind: 'bearer', token: facts.tokens.access_token } : { kind: 'none' });
    const tools = (listed.message?.result as { tools?: Array<Record<string, unknown>> } | undefined)?.tools;
    if (tools) facts.tools = tools;
    const checks: AuditCheck[] = [];
    const { signIn: _s, scope: _sc, probesFailAfter, ...options } = o;
    let probes = 0;
    const ctx: AuditContext = {
      serverUrl: conn.serverUrl,
      conn,
      options: { callTools: 'read-only', waitExpiry: false, ...options },
      facts,
      mcp: (method, params, auth) => {
        if (probesFailAfter !== undefined && ++probes > probesFailAfter) return Promise.reject(new Error(`the server at ${srv.mcpUrl} went away (test)`));
        if (auth.kind !== 'none') sentTokens.push(auth.token);
        return probe(method, params, auth);
      },
      report: (c) => {
        const spec = AUDIT_CHECKS[c.id];
        checks.push({ ...c, category: spec.category, title: c.title ?? spec.title, spec: c.spec ?? [...spec.spec] });
      },
      skip: (id, reason, subject, code) => {
        const spec = AUDIT_CHECKS[id];
        checks.push({ id, category: spec.category, title: spec.title, spec: [...spec.spec], level: 'skip', finding: reason, exchanges: [], ...(subject ? { subject } : {}), ...(code ? { reason: code } : {}) });
      },
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    };
    for (const phase of phases) await phase(ctx);
    return { checks, conn, facts, sentTokens };
  } finally {
    await conn.close();
  }
}

/** "id" or "id[subject]" → level. */
export function levels(checks: AuditCheck[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of checks) out[c.subject ? `${c.id}[${c.subject}]` : c.id] = c.level;
  return out;
}

/** Keys of checks at `level`. */
export function at(checks: AuditCheck[], level: AuditCheck['level']): string[] {
  return Object.entries(levels(checks))
    .filter(([, l]) => l === level)
    .map(([k]) => k)
    .sort();
}
