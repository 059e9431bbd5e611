/**
 * An audit report (src/shared/audit.ts) as the CLI, CI and the Audit panel's exports show it: text
 * for a terminal, Markdown, JUnit XML (one testcase per check) and JSON. Pure functions of the report:
 * no vscode, no DOM, no Node.
 *
 * Findings quote what servers sent (URLs, error text, tool names), so every renderer treats them as
 * data: the terminal text escapes control and bidi characters (docs/SECURITY.md "The terminal and
 * other text outputs"), Markdown escapes its markup and HTML, XML escapes its five characters and
 * drops what XML 1.0 cannot carry, JSON is JSON.
 */
import { AUDIT_CATEGORIES, type AuditCategory, type AuditCheck, type AuditLevel, type AuditReport, type AuditSkipReason } from '../shared/audit';
import { terminalJson, terminalLine } from '../core/text/terminal';

const LEVEL_ORDER: Record<AuditLevel, number> = { fail: 0, warn: 1, pass: 2, skip: 3 };

/** The CLI's words for the remedy of a skip whose reason is the person's choice (the editor has its own, src/present/auditView.ts). */
export const CLI_SKIP_REMEDY: Record<AuditSkipReason, string> = {
  'tools-with-side-effects': 'run with --call-tools all to call it',
};

/** Checks by category, in catalog order of the categories, failures first within each. */
export function groupChecks(report: AuditReport): Array<{ category: AuditCategory; checks: AuditCheck[] }> {
  return AUDIT_CATEGORIES.map((category) => ({
    category,
    checks: report.checks.filter((c) => c.category === category).sort((a, b) => LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level]),
  })).filter((g) => g.checks.length > 0);
}

function summaryLine(report: AuditReport): string {
  const s = report.summary;
  return `${s.fail} fail, ${s.warn} warn, ${s.pass} pass, ${s.skip} skip`;
}

function checkName(c: AuditCheck): string {
  return c.subject !== undefined ? `${c.id} (${c.subject})` : c.id;
}

// ------------------------------------------------------------------------------------------ text

const TEXT_LEVEL: Record<AuditLevel, string> = { fail: 'FAIL', warn: 'WARN', pass: 'pass', skip: 'skip' };

/** The report for a terminal: every server-derived string on one escaped line. */
export function auditText(report: AuditReport, opts: { verbose?: boolean } = {}): string {
  const out: string[] = [];
  out.push(`Audit of ${terminalLine(report.server)}${report.protocolVersion ? ` (MCP ${terminalLine(report.protocolVersion)})` : ''}`);
  out.push(`${summaryLine(report)} — ${report.checks.length} checks, ${report.requests} requests, ${(report.durationMs / 1000).toFixed(1)} s`);
  for (const g of groupChecks(report)) {
    out.push('', `[${g.category}]`);
    for (const c of g.checks) {
      out.push(`  ${TEXT_LEVEL[c.level]}  ${terminalLine(checkName(c))}`);
      if (c.level !== 'pass' || opts.verbose) out.push(`        ${terminalLine(c.finding)}${c.level === 'skip' && c.reason ? ` (${CLI_SKIP_REMEDY[c.reason]})` : ''}`);
      if (c.fix && (c.level === 'fail' || c.level === 'warn')) out.push(`        fix: ${terminalLine(c.fix)}`);
      if (c.level === 'fail' && c.spec.length) out.push(`        see: ${terminalLine(c.spec.join('; '))}`);
      if ((c.level === 'fail' || c.level === 'warn') && c.exchanges.length) out.push(`        proof: ${c.exchanges.slice(0, 8).map((n) => `#${n}`).join(' ')}${c.exchanges.length > 8 ? ' …' : ''} (--trace prints them)`);
    }
  }
  out.push('', report.summary.fail ? `${report.summary.fail} check${report.summary.fail > 1 ? 's' : ''} failed.` : 'No check failed.');
  return `${out.join('\n')}\n`;
}

// -------------------------------------------------------------------------------------- Markdown

/** Text as inert Markdown: HTML and Markdown syntax escaped, one line (a table cell must not break). */
export function markdownText(value: string): string {
  return value
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`);
}

const MD_LEVEL: Record<AuditLevel, string> = { fail: '❌ fail', warn: '⚠️ warn', pass: '✅ pass', skip: '⏭️ skip' };

/** The report as a Markdown document (a CI job summary, a bug report, the panel's export). */
export function auditMarkdown(report: AuditReport): string {
  const out: string[] = [];
  out.push(`# MCP server audit: ${markdownText(report.server)}`, '');
  out.push(`- Protocol: ${report.protocolVersion ? markdownText(report.protocolVersion) : 'not negotiated'}`);
  out.push(`- Started: ${markdownText(report.startedAt)}; ${(report.durationMs / 1000).toFixed(1)} s, ${report.requests} requests`);
  out.push(`- Summary: **${report.summary.fail} fail**, ${report.summary.warn} warn, ${report.summary.pass} pass, ${report.summary.skip} skip`, '');
  for (const g of groupChecks(report)) {
    out.push(`## ${g.category}`, '', '| Level | Check | Finding | Fix |', '| --- | --- | --- | --- |');
    for (const c of g.checks) {
      const spec = c.spec.length ? ` <br>_${c.spec.map(markdownText).join('; ')}_` : '';
      out.push(`| ${MD_LEVEL[c.level]} | \`${c.id.replace(/`/g, '')}\`${c.subject !== undefined ? ` ${markdownText(c.subject)}` : ''} | ${markdownText(c.finding)}${spec} | ${c.fix ? markdownText(c.fix) : ''} |`);
    }
    out.push('');
  }
  return `${out.join('\n')}`;
}

// ------------------------------------------------------------------------------------- JUnit XML

/** Text as XML character data or an attribute value: the five escapes; what XML 1.0 forbids becomes U+FFFD. */
export function xmlText(value: string): string {
  return value
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/**
 * JUnit XML: one testsuite per category, one testcase per check (`classname` the category, `name`
 * the id and subject); `fail` is a <failure>, `skip` a <skipped>, `warn` a passing testcase whose
 * system-out says so (JUnit has no warning).
 */
export function auditJunit(report: AuditReport): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const s = report.summary;
  const seconds = (report.durationMs / 1000).toFixed(3);
  out.push(`<testsuites name="${xmlText(`MCP server audit: ${report.server}`)}" tests="${report.checks.length}" failures="${s.fail}" skipped="${s.skip}" errors="0" time="${seconds}" timestamp="${xmlText(report.startedAt)}">`);
  for (const g of groupChecks(report)) {
    const fails = g.checks.filter((c) => c.level === 'fail').length;
    const skips = g.checks.filter((c) => c.level === 'skip').length;
    out.push(`  <testsuite name="${xmlText(g.category)}" tests="${g.checks.length}" failures="${fails}" skipped="${skips}" errors="0">`);
    for (const c of g.checks) {
      const name = xmlText(checkName(c));
      const body = [c.finding, c.fix ? `Fix: ${c.fix}` : '', c.spec.length ? `Spec: ${c.spec.join('; ')}` : '', c.exchanges.length ? `Exchanges: ${c.exchanges.join(', ')}` : ''].filter(Boolean).join('\n');
      if (c.level === 'fail') {
        out.push(`    <testcase classname="${xmlText(c.category)}" name="${name}">`, `      <failure message="${xmlText(c.finding)}" type="${xmlText(c.id)}">${xmlText(body)}</failure>`, '    </testcase>');
      } else if (c.level === 'skip') {
        out.push(`    <testcase classname="${xmlText(c.category)}" name="${name}">`, `      <skipped message="${xmlText(c.finding)}"/>`, '    </testcase>');
      } else {
        out.push(`    <testcase classname="${xmlText(c.category)}" name="${name}">`, `      <system-out>${xmlText(`${c.level === 'warn' ? 'WARNING: ' : ''}${body}`)}</system-out>`, '    </testcase>');
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}

// ------------------------------------------------------------------------------------------ JSON

/**
 * The report object (`--json`): server, protocolVersion, startedAt, durationMs, requests, summary
 * and the checks with id, category, level, title, subject, finding, reason (a skip's code), fix, spec and exchanges. Valid
 * JSON with C1, bidi and separator characters escaped, so it is also safe on a terminal.
 */
export function auditJson(report: AuditReport): string {
  const r: AuditReport = {
    server: report.server,
    ...(report.protocolVersion !== undefined ? { protocolVersion: report.protocolVersion } : {}),
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    requests: report.requests,
    summary: { ...report.summary },
    checks: report.checks.map((c) => ({
      id: c.id,
      category: c.category,
      level: c.level,
      title: c.title,
      ...(c.subject !== undefined ? { subject: c.subject } : {}),
      finding: c.finding,
      ...(c.reason !== undefined ? { reason: c.reason } : {}),
      ...(c.fix !== undefined ? { fix: c.fix } : {}),
      spec: [...c.spec],
      exchanges: [...c.exchanges],
    })),
  };
  return `${terminalJson(r, 2)}\n`;
}
