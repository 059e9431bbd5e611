/**
 * The audit report renderers: hostile text in findings (markup, terminal escapes, bidi overrides,
 * `]]>`, control characters, lone surrogates) stays inert in the text, Markdown, JUnit XML and JSON
 * renderings; JUnit has one testcase per check with failures and skips where they belong.
 */
import { strict as assert } from 'node:assert';
import { summarize, type AuditCheck, type AuditReport } from '../../../src/shared/audit';
import { auditJson, auditJunit, auditMarkdown, auditText, groupChecks, xmlText } from '../../../src/present/audit';

const HOSTILE = 'evil <script>alert(1)</script> ]]> & "q" \'a\' | pipe `tick` [link](javascript:alert(1)) \u001b[31mred\u001b[0m \u202eTXT \u0001\u0007 line\nbreak \ud800 end';

function report(): AuditReport {
  const checks: AuditCheck[] = [
    { id: 'discovery.resource-metadata-in-challenge', category: 'discovery', level: 'fail', title: 'The challenge names resource_metadata', finding: HOSTILE, fix: `fix ${HOSTILE}`, spec: ['RFC 9728 §5.1'], exchanges: [3, 4] },
    { id: 'discovery.unauthenticated-challenge', category: 'discovery', level: 'pass', title: 'A request without a token gets 401', finding: 'ok', spec: ['RFC 6750 §3'], exchanges: [1] },
    { id: 'tool-security.noauth-works-anonymously', category: 'tool-security', level: 'skip', title: 'noauth', subject: `tool ${HOSTILE}`, finding: `skipped ${HOSTILE}`, spec: [], exchanges: [] },
    { id: 'clients.offline-refresh', category: 'clients', level: 'warn', title: 'refresh', finding: 'warned', fix: 'do it', spec: ['RFC 6749 §6'], exchanges: [] },
  ];
  return { server: `http://127.0.0.1:1/mcp?${HOSTILE}`, protocolVersion: '2026-07-28', startedAt: '2026-12-05T00:00:00.000Z', durationMs: 1234, requests: 9, summary: summarize(checks), checks };
}

/** A strict parser for the XML subset JUnit uses: it throws on anything not well-formed. */
function parseXml(xml: string): { name: string; attrs: Record<string, string>; children: unknown[]; text: string } {
  let i = 0;
  const fail = (why: string) => {
    throw new Error(`${why} at ${i}: ${JSON.stringify(xml.slice(i, i + 30))}`);
  };
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(xml)) fail('a character XML 1.0 forbids');
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(xml)) fail('a lone surrogate');
  const decl = /^<\?xml[^?]*\?>\s*/.exec(xml);
  if (decl) i = decl[0].length;
  const entity = (s: string) => {
    if (/&(?!(amp|lt|gt|quot|apos);)/.test(s)) fail('a bare &');
    return s.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[e]!);
  };
  function element(): { name: string; attrs: Record<string, string>; children: unknown[]; text: string } {
    const open = /^<([A-Za-z][\w.-]*)/.exec(xml.slice(i));
    if (!open) fail('expected an element');
    i += open![0].length;
    const attrs: Record<string, string> = {};
    for (;;) {
      const ws = /^\s+/.exec(xml.slice(i));
      if (ws) i += ws[0].length;
      if (xml.startsWith('/>', i)) {
        i += 2;
        return { name: open![1], attrs, children: [], text: '' };
      }
      if (xml[i] === '>') {
        i++;
        break;
      }
      const a = /^([A-Za-z][\w.-]*)="([^"<]*)"/.exec(xml.slice(i));
      if (!a) fail('a malformed attribute');
      if (a![1] in attrs) fail('a repeated attribute');
      attrs[a![1]] = entity(a![2]);
      i += a![0].length;
    }
    const children: unknown[] = [];
    let text = '';
    for (;;) {
      if (xml.startsWith('</', i)) {
        const close = /^<\/([A-Za-z][\w.-]*)\s*>/.exec(xml.slice(i));
        if (!close || close[1] !== open![1]) fail('a mismatched end tag');
        i += close![0].length;
        return { name: open![1], attrs, children, text };
      }
      if (xml[i] === '<') children.push(element());
      else {
        const t = /^[^<]*/.exec(xml.slice(i))![0];
        if (t.includes(']]>')) fail(']]> in text');
        text += entity(t);
        i += t.length;
        if (i >= xml.length) fail('unexpected end');
      }
    }
  }
  const root = element();
  if (xml.slice(i).trim()) fail('content after the root');
  return root;
}

describe('audit report renderers', () => {
  it('text: control, escape and bidi characters are shown as escapes; one line per field', () => {
    const t = auditText(report());
    assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(t), 'no raw controls or bidi');
    assert.match(t, /\\x1b\[31m/);
    assert.match(t, /FAIL {2}discovery\.resource-metadata-in-challenge/);
    assert.match(t, /fix: fix evil/);
    assert.ok(!t.split('\n').some((l) => l.startsWith('break')), 'a newline in a finding does not start a line');
    assert.match(t, /1 check failed\./);
  });

  it('Markdown: markup and HTML are inert, each check one table row', () => {
    const md = auditMarkdown(report());
    assert.ok(!md.includes('<script'), 'no raw HTML');
    assert.ok(!/(?<!\\)\]\(javascript:/.test(md) && md.includes('\\[link\\]'), 'no live link');
    assert.ok(!/[\u001b\u202e]/.test(md));
    const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Level') && !l.startsWith('| ---'));
    assert.equal(rows.length, 4);
    for (const row of rows) assert.equal(row.replace(/\\\|/g, '').split('|').length - 1, 5, `five unescaped pipes: ${row}`);
    assert.match(md, /\*\*1 fail\*\*/);
  });

  it('JUnit XML: well-formed, one testcase per check, failures and skips as such, hostile text round-trips as text', () => {
    const root = parseXml(auditJunit(report()));
    assert.equal(root.name, 'testsuites');
    assert.equal(root.attrs.tests, '4');
    assert.equal(root.attrs.failures, '1');
    assert.equal(root.attrs.skipped, '1');
    type El = ReturnType<typeof parseXml>;
    const cases = (root.children as El[]).flatMap((s) => s.children as El[]);
    assert.equal(cases.length, 4);
    const failed = cases.find((c) => (c.children as El[]).some((x) => x.name === 'failure'))!;
    assert.equal(failed.attrs.name, 'discovery.resource-metadata-in-challenge');
    const failure = (failed.children as El[])[0];
    assert.ok(failure.attrs.message.includes('<script>alert(1)</script> ]]> &'), 'the message is the finding, as text');
    const skipped = cases.find((c) => (c.children as El[]).some((x) => x.name === 'skipped'))!;
    assert.ok(skipped.attrs.name.startsWith('tool-security.noauth-works-anonymously (tool evil'));
    assert.equal(xmlText('a]]>b\u0000'), 'a]]&gt;b\ufffd');
  });

  it('JSON: the report object, hostile strings intact as JSON strings, no raw C1/bidi', () => {
    const r = report();
    const text = auditJson(r);
    assert.ok(!/[\u0080-\u009f\u202a-\u202e]/.test(text));
    const back = JSON.parse(text) as AuditReport;
    assert.deepEqual(Object.keys(back), ['server', 'protocolVersion', 'startedAt', 'durationMs', 'requests', 'summary', 'checks']);
    assert.deepEqual(back.summary, { pass: 1, warn: 1, fail: 1, skip: 1 });
    assert.deepEqual(Object.keys(back.checks[0]), ['id', 'category', 'level', 'title', 'finding', 'fix', 'spec', 'exchanges']);
    assert.ok(back.checks[0].finding.includes('<script>alert(1)</script>'));
  });

  it('groups by category in catalog order, failures first', () => {
    const g = groupChecks(report());
    assert.deepEqual(g.map((x) => x.category), ['discovery', 'tool-security', 'clients']);
    assert.equal(g[0].checks[0].level, 'fail');
  });
});
