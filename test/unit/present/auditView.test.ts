import * as assert from 'node:assert/strict';
import { auditReportView, auditTreeLine, auditTreeTooltip, callToolsQuestion, exportFileName, groupChecks, specLink, toolsWithSideEffects, worstLevel } from '../../../src/present/auditView';
import { AUDIT_CHECKS, summarize } from '../../../src/shared/audit';
import { auditJson, auditText } from '../../../src/present/audit';
import { check, fixtureChecks, fixtureReport } from '../../fixtures/auditReport';

describe('present/auditView: the audit report as the panel and the tree show it', () => {
  it('groups by category, the groups with failures first, then warnings, passes, skips; ties in catalog order', () => {
    const groups = groupChecks(fixtureChecks());
    assert.deepEqual(
      groups.map((g) => [g.category, g.level]),
      [
        ['discovery', 'fail'],
        ['resource-server', 'fail'],
        ['tool-security', 'fail'],
        ['authorization-server', 'warn'],
        ['clients', 'warn'],
        ['token', 'pass'],
        ['transport', 'pass'],
        ['registration', 'skip'],
      ],
    );
    assert.equal(groups[0].label, 'Discovery');
  });

  it('orders the checks of a group worst first and keeps the engine order among equals', () => {
    const discovery = groupChecks(fixtureChecks()).find((g) => g.category === 'discovery')!;
    assert.deepEqual(
      discovery.checks.map((c) => [c.id, c.level]),
      [
        ['discovery.resource-metadata-in-challenge', 'fail'],
        ['discovery.metadata-served-as-json', 'fail'],
        ['discovery.unauthenticated-challenge', 'pass'],
        ['discovery.metadata-resource-matches', 'pass'],
      ],
    );
    const tools = groupChecks(fixtureChecks()).find((g) => g.category === 'tool-security')!;
    assert.deepEqual(
      tools.checks.map((c) => `${c.level}:${c.subject}`),
      ['fail:search_docs', 'pass:get_time', 'skip:add_todo'],
    );
    assert.deepEqual(tools.summary, { fail: 1, warn: 0, pass: 1, skip: 1 });
  });

  it('keeps every check (nothing dropped or duplicated) and does not reorder the report it was given', () => {
    const checks = fixtureChecks();
    const before = JSON.stringify(checks);
    const groups = groupChecks(checks);
    assert.equal(groups.reduce((n, g) => n + g.checks.length, 0), checks.length);
    assert.equal(JSON.stringify(checks), before);
  });

  it('a group of skips only is a skip group, after the passing ones; no check at all is no group', () => {
    assert.equal(worstLevel([]), 'skip');
    assert.equal(worstLevel([{ level: 'skip' }, { level: 'pass' }]), 'pass');
    assert.deepEqual(groupChecks([]), []);
  });

  it('recounts the summary from the checks the panel lists', () => {
    const report = fixtureReport(fixtureChecks(), { summary: { pass: 99, warn: 0, fail: 0, skip: 0 } });
    const v = auditReportView(report);
    assert.deepEqual(v.summary, summarize(report.checks));
    assert.deepEqual(v.summary, { fail: 4, warn: 2, pass: 8, skip: 3 });
    assert.equal(v.requests, 87);
  });

  it('the tree line names failures and warnings, or the passes when there are none', () => {
    assert.equal(auditTreeLine({ fail: 2, warn: 3, pass: 20, skip: 4 }), 'audit: 2 fail · 3 warn');
    assert.equal(auditTreeLine({ fail: 0, warn: 1, pass: 20, skip: 4 }), 'audit: 1 warn');
    assert.equal(auditTreeLine({ fail: 1, warn: 0, pass: 0, skip: 0 }), 'audit: 1 fail');
    assert.equal(auditTreeLine({ fail: 0, warn: 0, pass: 31, skip: 2 }), 'audit: 31 pass');
    assert.match(auditTreeTooltip(fixtureReport()), /4 fail, 2 warn, 8 pass, 3 skip/);
  });

  it('links the spec sections of the catalog to their https pages, with the section anchor', () => {
    assert.deepEqual(specLink('RFC 9728 §5.1'), { text: 'RFC 9728 §5.1', url: 'https://www.rfc-editor.org/rfc/rfc9728#section-5.1' });
    assert.deepEqual(specLink('RFC 7636'), { text: 'RFC 7636', url: 'https://www.rfc-editor.org/rfc/rfc7636' });
    assert.equal(specLink('OAuth 2.1 §5.2').url, 'https://datatracker.ietf.org/doc/html/draft-ietf-oauth-v2-1#section-5.2');
    assert.equal(specLink('MCP Authorization §Token Audience Binding and Validation').url, 'https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization#token-audience-binding-and-validation');
    assert.equal(specLink('MCP Lifecycle §Version Negotiation').url, 'https://modelcontextprotocol.io/specification/2025-11-25/basic/lifecycle#version-negotiation');
    assert.equal(specLink('SEP-1488').url, 'https://github.com/modelcontextprotocol/modelcontextprotocol/issues/1488');
    assert.deepEqual(specLink('Something else §1'), { text: 'Something else §1' });
    // every section the catalog names becomes an https link
    const all = [...new Set(Object.values(AUDIT_CHECKS).flatMap((c) => [...c.spec]))];
    const unlinked = all.filter((s) => !specLink(s).url?.startsWith('https://'));
    assert.deepEqual(unlinked, []);
  });

  it('every check of the view carries its links', () => {
    const g = groupChecks([check('discovery.metadata-at-well-known', 'pass', 'ok')]);
    assert.deepEqual(g[0].checks[0].specLinks, [{ text: 'RFC 9728 §3.1', url: 'https://www.rfc-editor.org/rfc/rfc9728#section-3.1' }]);
  });
});

describe('present/auditView: which tools a read-only audit leaves alone, and the question that names them', () => {
  const tool = (name: string, readOnlyHint?: unknown) => ({ tool: { name, annotations: readOnlyHint === undefined ? undefined : { readOnlyHint } } });

  it('only tools annotated readOnlyHint: true are read-only; a missing or non-boolean hint is not', () => {
    assert.deepEqual(toolsWithSideEffects([tool('list_todos', true), tool('add_todo', false), tool('search_docs'), tool('odd', 'true')]), ['add_todo', 'search_docs', 'odd']);
    assert.deepEqual(toolsWithSideEffects([tool('a', true)]), []);
  });

  it('names the tools, one line each (a line break in a name shows as ⏎), and caps a long list', () => {
    const q = callToolsQuestion('Todo demo', ['add_todo', 'delete\ntodo']);
    assert.equal(q.message, 'Call all tools of Todo demo?');
    assert.match(q.detail, /These 2 tools are not.*add_todo, delete ⏎ todo\./s);
    const many = callToolsQuestion('x', Array.from({ length: 20 }, (_, i) => `t${i}`));
    assert.match(many.detail, /t11 and 8 more\./);
    assert.doesNotMatch(many.detail, /t12,/);
  });
});

describe('present/auditView: the name an export proposes', () => {
  it('is the server\'s host and path, file-safe, with the format\'s extension', () => {
    assert.equal(exportFileName('http://localhost:5080/mcp-misconfigured', 'markdown'), 'mcp-audit-localhost-5080-mcp-misconfigured.md');
    assert.equal(exportFileName('https://mcp.example.com/', 'json'), 'mcp-audit-mcp.example.com.json');
    assert.equal(exportFileName('https://mcp.example.com/a/b?x=1#y', 'junit'), 'mcp-audit-mcp.example.com-a-b.xml');
  });

  it('leaves no path separator, no leading dot and nothing over 80 characters of the server in it', () => {
    const name = exportFileName(`https://example.com/${'x/'.repeat(100)}..%2F..%2Fetc`, 'markdown');
    assert.doesNotMatch(name, /[\\/]/);
    assert.ok(name.length <= 'mcp-audit-'.length + 80 + '.md'.length, name);
    assert.equal(exportFileName('not a url', 'markdown'), 'mcp-audit-server.md');
  });
});

describe('present: a skip whose remedy is a choice is worded by each front end', () => {
  const skipped = check('tool-security.oauth-refuses-anonymous', 'skip', 'not read-only, and the audit was not told it may call every tool', { subject: 'delete_note', reason: 'tools-with-side-effects' });
  const plain = check('resource-server.expired-token', 'skip', 'the token lives an hour');

  it('the panel names its own button, the terminal its own flag; a skip without a code gets neither', () => {
    const view = auditReportView(fixtureReport([skipped, plain]));
    const findings = view.groups.flatMap((g) => g.checks.map((c) => c.finding));
    assert.ok(findings.some((f) => f.endsWith('(run the audit again and choose "Call All Tools" to call it)')), findings.join('\n'));
    assert.ok(findings.every((f) => !f.includes('--call-tools')));
    assert.ok(findings.includes('the token lives an hour'));
    const text = auditText(fixtureReport([skipped, plain]));
    assert.match(text, /call every tool \(run with --call-tools all to call it\)/);
    assert.doesNotMatch(text, /Call All Tools/);
    assert.match(text, /the token lives an hour\n/);
    // the JSON report carries the code, not the words
    const json = JSON.parse(auditJson(fixtureReport([skipped]))) as { checks: Array<{ reason?: string; finding: string }> };
    assert.equal(json.checks[0].reason, 'tools-with-side-effects');
    assert.doesNotMatch(json.checks[0].finding, /--call-tools|Call All Tools/);
  });
});
