import type { AuditCategory, AuditLevel, AuditSummary } from '../src/shared/audit';
import type { AuditCheckView, AuditExportFormat, AuditGroupView, AuditReportView, AuditState } from '../src/shared/protocol';
import { serverBar } from './common';
import { h, icon, mount, safeLink } from './dom';
import { RpcError, type Rpc } from './rpc';

type Part = Node | string | null;
type Filter = 'all' | AuditLevel;

/** Codicons of the levels (the names are ours). */
export const AUDIT_LEVEL_ICON: Record<AuditLevel, string> = { fail: 'error', warn: 'warning', pass: 'pass', skip: 'circle-slash' };

const CATEGORY_ICON: Record<AuditCategory, string> = {
  discovery: 'search',
  'authorization-server': 'server',
  registration: 'person-add',
  token: 'key',
  'resource-server': 'shield',
  'tool-security': 'tools',
  transport: 'plug',
  clients: 'extensions',
};

const LEVELS: readonly AuditLevel[] = ['fail', 'warn', 'pass', 'skip'];

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The sentence under the counts: what the result means for the server's users. */
export function auditVerdict(s: AuditSummary): string {
  if (s.fail) return `${plural(s.fail, 'check fails', 'checks fail')}: clients that follow the specification will not work with this server as it is configured. Each failure says what to change.`;
  if (s.warn) return `No check fails. ${plural(s.warn, 'warning')}: the server works for clients that follow the specification; some widely used clients may not cope.`;
  return 'No check fails or warns: the server is set up the way the specification asks.';
}

/** "3.2 s", "850 ms". */
export function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { hour12: false });
}

/** One check's key for remembering whether it is open (a tool-security check repeats per tool). */
const checkKey = (c: AuditCheckView) => `c:${c.id}:${c.subject ?? ''}`;

/**
 * The Audit panel: the summary bar (fail/warn/pass/skip, each a filter), the checks by category with
 * failures first, each with its finding, its fix, its spec sections (https links) and buttons that
 * open the OAuth flow panel at the exchanges that prove it; Re-run and the three exports. Everything
 * from the report is text (a finding quotes what a server sent).
 */
export function startAuditPanel(rpc: Rpc, app: HTMLElement): void {
  let st: AuditState | undefined;
  let filter: Filter = 'all';
  /** Keys of <details> the person opened or closed by hand; the rest follow their defaults. */
  const opened = new Set<string>();
  const closed = new Set<string>();
  let busy: 'run' | AuditExportFormat | undefined;
  let message: { level: 'pass' | 'warn' | 'fail'; text: string } | undefined;

  function isOpen(key: string, byDefault: boolean): boolean {
    return opened.has(key) || (byDefault && !closed.has(key));
  }

  function remember(el: HTMLDetailsElement, key: string): HTMLDetailsElement {
    el.addEventListener('toggle', () => {
      if (el.open) {
        opened.add(key);
        closed.delete(key);
      } else {
        opened.delete(key);
        closed.add(key);
      }
    });
    return el;
  }

  function request<T>(what: 'run' | AuditExportFormat, p: Promise<T>, done: (r: T) => typeof message): void {
    busy = what;
    message = undefined;
    render();
    p.then(
      (r) => {
        busy = undefined;
        message = done(r);
        render();
      },
      (err: unknown) => {
        busy = undefined;
        message = { level: 'fail', text: err instanceof RpcError ? err.message : String((err as Error)?.message ?? err) };
        render();
      },
    );
  }

  function rerun(): void {
    if (busy || st?.running) return;
    request('run', rpc.request('audit/run', {}), () => undefined);
  }

  function exportAs(format: AuditExportFormat): void {
    if (busy) return;
    request(format, rpc.request('audit/export', { format }), (r) => (r.saved ? { level: 'pass', text: `Saved as ${r.file ?? 'a file'}.` } : undefined));
  }

  function showExchange(id: number): void {
    rpc.request('audit/showExchange', { exchange: id }).then(
      () => undefined,
      (err: unknown) => {
        message = { level: 'warn', text: err instanceof RpcError ? err.message : String(err) };
        render();
      },
    );
  }

  function spinning(on: boolean, name: string): HTMLElement {
    const el = icon(on ? 'loading' : name);
    if (on) el.classList.add('codicon-modifier-spin');
    return el;
  }

  function levelIcon(level: AuditLevel): HTMLElement {
    return h('span', { class: `au-level-icon level-text-${level === 'skip' ? 'skip' : level}`, 'data-level': level }, icon(AUDIT_LEVEL_ICON[level], level));
  }

  /** The four counts, each a filter toggle; a bar of their shares under them. */
  function summaryBar(r: AuditReportView): HTMLElement {
    const s = r.summary;
    const total = s.fail + s.warn + s.pass + s.skip;
    const tile = (level: AuditLevel) =>
      h(
        'button',
        {
          type: 'button',
          class: `au-tile au-tile-${level}`,
          'data-level': level,
          'data-testid': `audit-count-${level}`,
          'aria-pressed': filter === level ? 'true' : 'false',
          title: filter === level ? 'Show every check' : `Show only the checks that ${level === 'skip' ? 'were skipped' : level === 'pass' ? 'pass' : level + (level === 'fail' ? '' : 's')}`,
          disabled: s[level] === 0 && filter !== level,
          onclick: () => {
            filter = filter === level ? 'all' : level;
            render();
          },
        },
        h('span', { class: 'au-tile-icon' }, icon(AUDIT_LEVEL_ICON[level])),
        h('span', { class: 'au-tile-count' }, String(s[level])),
        h('span', { class: 'au-tile-label' }, level),
      );
    const share = (level: AuditLevel) => (total ? h('span', { class: `au-share au-share-${level}`, title: `${s[level]} ${level}`, 'data-level': level, role: 'presentation' }) : null);
    const bar = h('div', { class: 'au-shares', 'aria-hidden': 'true' }, LEVELS.map(share));
    // widths are layout, not data: set on the element (the CSP allows no inline style attribute text)
    bar.querySelectorAll<HTMLElement>('.au-share').forEach((el) => {
      const level = el.dataset.level as AuditLevel;
      el.style.flexGrow = String(s[level]);
      if (!s[level]) el.hidden = true;
    });
    return h(
      'section',
      { class: 'au-summary', 'aria-label': 'Audit result', 'data-testid': 'audit-summary' },
      h('div', { class: 'au-tiles', role: 'group', 'aria-label': 'Show checks by result' }, LEVELS.map(tile)),
      bar,
      h('p', { class: `au-verdict level-text-${s.fail ? 'fail' : s.warn ? 'warn' : 'pass'}`, role: 'status', 'data-testid': 'audit-verdict' }, icon(s.fail ? 'error' : s.warn ? 'warning' : 'verified'), ' ', auditVerdict(s)),
    );
  }

  function toolbar(s: AuditState): HTMLElement {
    const running = !!s.running || busy === 'run';
    const exportButton = (format: AuditExportFormat, label: string, iconName: string) =>
      h(
        'button',
        { type: 'button', class: 'secondary', 'data-testid': `audit-export-${format}`, disabled: !s.report || !!busy, title: `Save the report as ${label}${format === 'junit' ? ' (one test case per check, for CI)' : ''}`, onclick: () => exportAs(format) },
        spinning(busy === format, iconName),
        ` ${label}`,
      );
    return h(
      'div',
      { class: 'tf-toolbar au-toolbar', role: 'toolbar', 'aria-label': 'Audit actions' },
      h('button', { type: 'button', 'data-testid': 'audit-rerun', disabled: running || !!busy, title: 'Run every check again against the server', onclick: rerun }, spinning(running, 'debug-rerun'), s.report || s.error ? ' Re-run' : ' Run audit'),
      h('span', { class: 'au-export', role: 'group', 'aria-label': 'Export' }, h('span', { class: 'muted' }, 'Export'), exportButton('markdown', 'Markdown', 'markdown'), exportButton('json', 'JSON', 'json'), exportButton('junit', 'JUnit', 'beaker')),
      s.report
        ? h(
            'span',
            { class: 'au-toolbar-end' },
            h('button', { type: 'button', class: 'icon-button', title: 'Expand all', 'aria-label': 'Expand all', 'data-testid': 'audit-expand', onclick: () => setAll(true) }, icon('expand-all')),
            h('button', { type: 'button', class: 'icon-button', title: 'Collapse all', 'aria-label': 'Collapse all', 'data-testid': 'audit-collapse', onclick: () => setAll(false) }, icon('collapse-all')),
          )
        : null,
    );
  }

  function setAll(value: boolean): void {
    const r = st?.report;
    if (!r) return;
    for (const g of r.groups) {
      for (const k of [`g:${g.category}`, ...g.checks.map(checkKey)]) {
        (value ? opened : closed).add(k);
        (value ? closed : opened).delete(k);
      }
    }
    render();
  }

  function meta(s: AuditState, r: AuditReportView): HTMLElement {
    const bits = [
      `ran ${when(r.startedAt)}`,
      duration(r.durationMs),
      plural(r.requests, 'request'),
      r.protocolVersion ? `MCP ${r.protocolVersion}` : null,
      s.callTools === 'all' ? 'every tool called' : 'only read-only tools called',
    ].filter((x): x is string => !!x);
    return h('p', { class: 'au-meta muted', 'data-testid': 'audit-meta' }, bits.join(' · '));
  }

  function check(c: AuditCheckView, exchangesShown: boolean): HTMLElement {
    const key = checkKey(c);
    const problem = c.level === 'fail' || c.level === 'warn';
    const body = (): Part[] => [
      h('p', { class: 'au-finding' }, c.finding),
      c.fix ? h('div', { class: 'au-fix', 'data-testid': 'audit-fix' }, h('span', { class: 'au-fix-label' }, icon('lightbulb'), ' Fix'), h('span', { class: 'au-fix-text' }, c.fix)) : null,
      c.specLinks.length
        ? h(
            'p',
            { class: 'au-spec' },
            icon('book'),
            ' ',
            c.specLinks.flatMap((l, i) => [i ? h('span', { class: 'au-sep', 'aria-hidden': 'true' }, ' · ') : null, l.url ? safeLink(l.url, l.text) : h('span', null, l.text)]),
          )
        : null,
      c.exchanges.length
        ? h(
            'div',
            { class: 'au-exchanges' },
            h('span', { class: 'muted' }, c.exchanges.length === 1 ? 'Exchange' : 'Exchanges'),
            c.exchanges.map((id) =>
              h(
                'button',
                {
                  type: 'button',
                  class: 'secondary au-exchange',
                  'data-testid': 'audit-show-exchange',
                  disabled: !exchangesShown,
                  title: exchangesShown ? `Open the OAuth flow panel at exchange #${id}` : 'The server was reconnected or the window reloaded since this audit: its exchanges are not in the flow panel any more. Re-run to record them again.',
                  onclick: () => showExchange(id),
                },
                icon('go-to-file'),
                ` #${id}`,
              ),
            ),
          )
        : null,
      h('p', { class: 'au-id' }, h('code', null, c.id)),
    ];
    const el = h(
      'details',
      { class: 'au-check-details', open: isOpen(key, problem) },
      h(
        'summary',
        null,
        levelIcon(c.level),
        h(
          'span',
          { class: 'au-check-head' },
          h('span', { class: 'au-check-title' }, c.title, c.subject ? h('code', { class: 'au-subject', 'data-tool': c.subject }, c.subject) : null),
          h('span', { class: 'au-check-finding' }, c.finding),
        ),
        h('span', { class: `au-level-word level-text-${c.level}` }, c.level),
      ),
    );
    const content = h('div', { class: 'au-check-body' });
    el.appendChild(content);
    if (el.open) mount(content, body());
    el.addEventListener('toggle', () => {
      if (el.open && !content.hasChildNodes()) mount(content, body());
    });
    remember(el, key);
    return h('li', { class: 'au-check', 'data-level': c.level, 'data-kind': c.id, 'data-testid': 'audit-check' }, el);
  }

  function group(g: AuditGroupView, exchangesShown: boolean): HTMLElement | null {
    const checks = filter === 'all' ? g.checks : g.checks.filter((c) => c.level === filter);
    if (!checks.length) return null;
    const key = `g:${g.category}`;
    const counts = LEVELS.filter((l) => g.summary[l] > 0).map((l) => h('span', { class: `au-count level-text-${l}`, 'data-level': l }, icon(AUDIT_LEVEL_ICON[l]), ` ${g.summary[l]}`));
    const el = h(
      'details',
      { class: 'au-group-details', open: isOpen(key, filter !== 'all' || g.level === 'fail' || g.level === 'warn') },
      h('summary', null, h('span', { class: 'au-group-icon' }, icon(CATEGORY_ICON[g.category] ?? 'checklist')), h('span', { class: 'au-group-title' }, g.label), h('span', { class: 'au-counts' }, counts)),
      h('ul', { class: 'au-checks' }, checks.map((c) => check(c, exchangesShown))),
    );
    remember(el, key);
    return h('section', { class: 'au-group', 'data-level': g.level, 'data-kind': g.category, 'data-testid': 'audit-group' }, el);
  }

  function running(s: AuditState): HTMLElement | null {
    if (!s.running) return null;
    return h(
      'div',
      { class: 'au-running', role: 'status', 'data-testid': 'audit-running' },
      h('div', { class: 'au-progress', 'aria-hidden': 'true' }),
      h('p', null, spinning(true, 'loading'), ` Auditing ${s.server.name}… every request goes into the OAuth flow panel as it is made.`, s.report ? ' The report below is the previous one.' : ''),
    );
  }

  function empty(s: AuditState): HTMLElement {
    return h(
      'section',
      { class: 'tf-empty au-empty', 'data-testid': 'audit-empty' },
      h('h2', null, icon('checklist'), ' No audit of this server yet'),
      h(
        'p',
        null,
        `The audit signs in to ${s.server.name} as the inspector does, then checks discovery, the authorization server, client registration, the access token, how the server treats bad tokens, each tool's declared security and the transport — with real requests, each one in the OAuth flow panel. Tools not annotated read-only are called only when you say so.`,
      ),
    );
  }

  function render(): void {
    const s = st;
    if (!s) return;
    const r = s.report;
    mount(
      app,
      serverBar(s.server),
      h('div', { class: 'au-head' }, h('h1', { class: 'au-h1' }, icon('checklist'), ' Audit'), r ? meta(s, r) : null),
      toolbar(s),
      message ? h('p', { class: message.level === 'fail' ? 'tf-error' : `au-message level-text-${message.level}`, role: 'status', 'data-testid': 'audit-message' }, message.text) : null,
      running(s),
      s.error && !s.running ? h('div', { class: 'tf-error', role: 'alert', 'data-testid': 'audit-error' }, icon('error'), ' ', s.error.message, s.error.hint ? h('div', { class: 'muted' }, s.error.hint) : null) : null,
      r ? summaryBar(r) : s.running ? null : empty(s),
      r ? h('div', { class: 'au-groups' }, r.groups.map((g) => group(g, s.exchangesShown))) : null,
      r && filter !== 'all' && !r.groups.some((g) => g.checks.some((c) => c.level === filter)) ? h('p', { class: 'muted' }, `No check is ${filter}.`) : null,
    );
  }

  rpc.on('state/audit', (next: AuditState) => {
    rpc.setState({ kind: 'audit', serverId: next.server.id });
    // a new report resets what was opened by hand in the old one
    if (next.report?.startedAt !== st?.report?.startedAt) {
      opened.clear();
      closed.clear();
      if (next.report && filter !== 'all' && next.report.summary[filter] === 0) filter = 'all';
    }
    st = next;
    render();
  });
}
