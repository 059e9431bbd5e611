import type { FlowExchange, FlowFinding, FlowState, FlowStep, InitializeView, Level } from '../src/shared/protocol';
import { levelBadge, serverBar } from './common';
import { capText, h, icon, mount } from './dom';
import { bytes, clockTime, header, levelIcon, prettyBody, specRefs } from './format';
import { RpcError, type Rpc } from './rpc';

type Filter = 'all' | 'problems';

/** An event stream as the trace keeps it (`data:` lines of redacted JSON-RPC), each message pretty-printed. */
function prettyEventStream(body: string): string {
  return body.replace(/^data: (.*)$/gm, (line, data: string) => {
    try {
      return `data: ${JSON.stringify(JSON.parse(data), null, 2).replace(/\n/g, '\n      ')}`;
    } catch {
      return line;
    }
  });
}
type Part = Node | string | null;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const isProblem = (l: Level) => l === 'warn' || l === 'fail';

/**
 * The OAuth flow panel: every step of the flow, its findings and its HTTP exchanges,
 * live as the trace grows. Exchange details are built only when opened (a long trace stays cheap),
 * and which steps are open survives the re-render of each update. Everything from the trace
 * (URLs, headers, bodies, messages) is a text node.
 */
export function startFlowPanel(rpc: Rpc, app: HTMLElement): void {
  let st: FlowState | undefined;
  let filter: Filter = 'all';
  /** Keys of open <details>: "s<id>" steps, "x<id>" exchanges, "x<id>:<part>" their blocks. */
  const open = new Set<string>();
  /** Steps the user closed by hand (problem steps start open). */
  const closed = new Set<string>();
  let exporting = false;
  let message: { level: Level; text: string } | undefined;
  /** The last FlowState.reveal acted on, and the exchange it highlighted (the Audit panel's "show exchange"). */
  let revealSeq = 0;
  let highlighted: number | undefined;

  /** A <details> whose open state is remembered under `key`; `build` fills it on first open. */
  function details(key: string, cls: string, summary: Part[], build: () => Part[], defaultOpen = false, testid?: string): HTMLDetailsElement {
    const isOpen = open.has(key) || (defaultOpen && !closed.has(key));
    const body = h('div', { class: `${cls}-body` });
    let built = false;
    const el = h('details', { class: cls, open: isOpen, 'data-testid': testid }, h('summary', null, summary), body);
    const fill = () => {
      if (built) return;
      built = true;
      mount(body, build());
    };
    if (isOpen) fill();
    el.addEventListener('toggle', () => {
      if (el.open) {
        open.add(key);
        closed.delete(key);
        fill();
      } else {
        open.delete(key);
        closed.add(key);
      }
    });
    return el;
  }

  function headersTable(hs: Record<string, string> | undefined): Node {
    const entries = Object.entries(hs ?? {});
    if (!entries.length) return h('p', { class: 'muted' }, 'none');
    return h('table', { class: 'tf-headers' }, h('tbody', null, entries.map(([k, v]) => h('tr', null, h('th', null, k), h('td', null, h('code', null, v))))));
  }

  function bodyBlock(body: string | undefined, omitted: number | undefined, contentType: string | undefined): Node {
    if (body === undefined || body === '') return h('p', { class: 'muted' }, omitted ? `${omitted} characters, not kept in the panel (Export as Markdown has them)` : 'empty');
    const pretty = /event-stream/i.test(contentType ?? '') ? prettyEventStream(body) : prettyBody(body, contentType);
    return h(
      'div',
      null,
      h('pre', { class: 'tf-body' }, capText(pretty, 20_000)),
      omitted ? h('p', { class: 'muted' }, `… ${omitted} more characters not shown here (Export as Markdown has up to 20 000 per body).`) : null,
    );
  }

  /** What the server answered to `initialize`: open by default, above the steps. All of it text. */
  function initializeSection(v: InitializeView): HTMLElement {
    const name = [v.serverName, v.serverVersion].filter(Boolean).join(' ') || 'not given';
    const row = (label: string, value: Part | Part[]) => [h('dt', null, label), h('dd', null, value)];
    return details(
      'init',
      'tf-init',
      [icon('server'), ' ', h('strong', null, 'Server'), h('span', { class: 'muted' }, ` ${name}${v.protocolVersion ? ` · protocol ${v.protocolVersion}` : ''}${v.negotiation ? ` · ${v.negotiation.split(',')[0]}` : ''}`)],
      () => [
        h(
          'dl',
          { class: 'tf-init-list' },
          row('Protocol version', [h('code', null, v.protocolVersion ?? 'not negotiated'), v.negotiation ? h('span', { class: 'muted' }, ` · ${v.negotiation}`) : null]),
          row('Server', [name, v.serverTitle ? h('span', { class: 'muted' }, ` (${v.serverTitle})`) : null]),
          row('Capabilities', v.capabilities.length ? h('ul', { class: 'tf-init-caps' }, v.capabilities.map((c) => h('li', null, h('code', null, c)))) : 'none'),
          row('Instructions', v.instructions ? h('pre', { class: 'tf-body' }, capText(v.instructions, 20_000)) : 'none'),
        ),
      ],
      true,
      'flow-initialize',
    );
  }

  function exchangeBody(x: FlowExchange): Part[] {
    const k = `x${x.id}`;
    const reqType = header(x.requestHeaders, 'content-type');
    const resType = header(x.responseHeaders, 'content-type');
    const n = (o?: Record<string, string>) => Object.keys(o ?? {}).length;
    return [
      x.level === 'pass' ? null : h('p', { class: 'tf-verdict', 'data-level': x.level }, levelIcon(x.level), ' ', x.finding),
      h('p', { class: 'tf-url' }, h('code', null, `${x.method} ${x.url}`)),
      h('div', { class: 'tf-copy' }, copyButton(x.id, 'curl'), ' ', copyButton(x.id, 'fetch')),
      details(`${k}:reqh`, 'tf-block', [`Request headers (${n(x.requestHeaders)})`], () => [headersTable(x.requestHeaders)]),
      x.requestBody !== undefined || x.requestBodyOmitted ? details(`${k}:reqb`, 'tf-block', ['Request body'], () => [bodyBlock(x.requestBody, x.requestBodyOmitted, reqType)]) : null,
      x.status !== undefined ? details(`${k}:resh`, 'tf-block', [`Response headers (${n(x.responseHeaders)})`], () => [headersTable(x.responseHeaders)]) : null,
      x.status !== undefined ? details(`${k}:resb`, 'tf-block', [`Response body${x.bytes !== undefined ? ` (${bytes(x.bytes)})` : ''}`], () => [bodyBlock(x.responseBody, x.responseBodyOmitted, resType)], true) : null,
      x.error ? h('p', { class: 'tf-error', role: 'note' }, icon('error'), ' ', x.error) : null,
    ];
  }

  /** Copy as curl / as fetch (src/present/curl.ts): the host renders it from the trace and writes the clipboard; the token stays $MCP_TOKEN. */
  function copyButton(exchange: number, as: 'curl' | 'fetch'): HTMLElement {
    return h('button', { type: 'button', class: 'secondary', 'data-testid': `flow-copy-${as}`, onclick: () => {
      rpc.request('flow/copyRequest', { exchange, as }).then(
        () => {
          message = { level: 'pass', text: `Copied the request as ${as === 'curl' ? 'a curl command' : 'a fetch() snippet'}; the token is read from $MCP_TOKEN.` };
          render();
        },
        (err: unknown) => {
          message = { level: 'fail', text: err instanceof RpcError ? err.message : String(err) };
          render();
        },
      );
    } }, icon(as === 'curl' ? 'terminal' : 'code'), as === 'curl' ? ' Copy as curl' : ' Copy as fetch');
  }

  function exchange(x: FlowExchange): HTMLElement {
    const el = details(
      `x${x.id}`,
      'tf-exchange',
      [
        levelIcon(x.level),
        ' ',
        h('span', { class: 'tf-method' }, x.method),
        ' ',
        h('span', { class: 'tf-exchange-url' }, x.url),
        ' ',
        h('span', { class: `tf-status level-text-${x.level}` }, x.status !== undefined ? String(x.status) : 'no response'),
        h('span', { class: 'muted' }, ` · ${x.durationMs} ms${x.bytes !== undefined ? ` · ${bytes(x.bytes)}` : ''}`),
      ],
      () => exchangeBody(x),
      false,
      'flow-exchange',
    );
    el.id = `exchange-${x.id}`;
    if (x.id === highlighted) el.classList.add('tf-revealed');
    return el;
  }

  /** Opens the step holding the exchange FlowState.reveal names (once per `seq`); returns its id when it is in the trace. */
  function takeReveal(s: FlowState): number | undefined {
    const r = s.reveal;
    if (!r || r.seq === revealSeq) return undefined;
    revealSeq = r.seq;
    const owner = s.steps.find((x) => x.exchanges.some((e) => e.id === r.exchange));
    if (!owner) {
      message = { level: 'warn', text: `Exchange #${r.exchange} is not in this trace any more (a reconnect starts a new one, and the oldest entries go first). Run the audit again to record it.` };
      return undefined;
    }
    filter = 'all';
    for (const k of [`s${owner.id}`, `x${r.exchange}`, `x${r.exchange}:resb`]) {
      open.add(k);
      closed.delete(k);
    }
    highlighted = r.exchange;
    return r.exchange;
  }

  /** A finding; its spec section only when it is not the step's own (no repetition). */
  function finding(f: FlowFinding, stepSpec: string | undefined): HTMLElement {
    return h('li', { class: 'tf-finding', 'data-level': f.level }, levelBadge(f.level), ' ', h('span', null, f.message), f.spec && f.spec !== stepSpec ? h('span', { class: 'muted' }, ' · ', specRefs(f.spec)) : null);
  }

  function step(s: FlowStep, n: number): HTMLElement {
    const requests = s.exchanges.length;
    return h(
      'li',
      { class: s.findings.length ? 'tf-step tf-has-findings' : 'tf-step', 'data-step': s.step, 'data-level': s.level },
      details(
        `s${s.id}`,
        'tf-step-details',
        [
          h('span', { class: 'tf-step-no', 'aria-hidden': 'true' }, String(n)),
          levelBadge(s.level),
          h('span', { class: 'tf-step-title' }, h('strong', null, s.step), h('span', { class: 'tf-step-finding' }, s.finding)),
          h('span', { class: 'tf-step-meta muted' }, clockTime(s.at), requests ? ` · ${requests} request${requests > 1 ? 's' : ''} · ${s.durationMs} ms` : ''),
        ],
        () => [
          s.spec ? h('p', { class: 'tf-step-spec' }, 'Implements ', specRefs(s.spec)) : h('p', { class: 'muted' }, 'No spec section recorded for this step.'),
          s.findings.length ? h('ul', { class: 'tf-findings' }, s.findings.map((f) => finding(f, s.spec))) : null,
          requests ? h('div', { class: 'tf-exchanges' }, s.exchanges.map(exchange)) : null,
        ],
        isProblem(s.level),
        'flow-step',
      ),
    );
  }

  function toolbar(s: FlowState): HTMLElement {
    const c = s.counts;
    const pill = (level: Level, n: number, label: string) => h('span', { class: `tf-count level-text-${level}`, 'data-level': level }, icon(level === 'pass' ? 'pass' : level === 'fail' ? 'error' : level === 'warn' ? 'warning' : 'info'), ` ${n} ${label}`);
    const filterButton = (value: Filter, label: string) =>
      h(
        'button',
        {
          type: 'button',
          class: 'secondary tf-toggle',
          'aria-pressed': filter === value ? 'true' : 'false',
          'data-testid': `flow-filter-${value}`,
          onclick: () => {
            filter = value;
            render();
          },
        },
        filter === value ? icon('check') : null,
        filter === value ? ' ' : null,
        label,
      );
    return h(
      'div',
      { class: 'tf-flowbar' },
      h('p', { class: 'tf-summary', 'data-testid': 'flow-summary', role: 'status' }, h('span', { class: 'muted' }, `${plural(s.steps.length, 'step')}: `), pill('pass', c.pass, 'pass'), ' ', pill('warn', c.warn, 'warn'), ' ', pill('fail', c.fail, 'fail'), ' ', pill('info', c.info, 'info'), h('span', { class: 'muted' }, ` · ${plural(s.entries, 'trace entry', 'trace entries')}`)),
      s.entries > 0 && s.server.state !== 'connected' && s.server.state !== 'connecting'
        ? h('p', { class: 'muted', 'data-testid': 'flow-not-live' }, icon('info'), ' Not connected: these are the requests of this window since it opened. A connection\'s trace lives in memory; connect to record the whole flow again.')
        : null,
      h(
        'div',
        { class: 'tf-toolbar', role: 'toolbar', 'aria-label': 'Flow view' },
        h('span', { role: 'group', 'aria-label': 'Show', class: 'tf-segmented' }, filterButton('all', 'All steps'), filterButton('problems', 'Problems only')),
        h('button', { type: 'button', class: 'secondary', 'data-testid': 'flow-expand', title: 'Open every step and exchange', onclick: () => setAll(true) }, icon('expand-all'), ' Expand all'),
        h('button', { type: 'button', class: 'secondary', 'data-testid': 'flow-collapse', title: 'Close every step', onclick: () => setAll(false) }, icon('collapse-all'), ' Collapse all'),
        h('button', { type: 'button', 'data-testid': 'flow-export', disabled: exporting || s.entries === 0, title: 'Open the flow as Markdown (for a bug report), secrets redacted', onclick: exportMarkdown }, icon('markdown'), ' Export as Markdown'),
      ),
      message ? h('p', { class: message.level === 'fail' ? 'tf-error' : 'muted', role: 'status' }, message.text) : null,
    );
  }

  function setAll(value: boolean): void {
    if (!st) return;
    for (const s of st.steps) {
      const keys = [`s${s.id}`, ...s.exchanges.flatMap((x) => [`x${x.id}`, `x${x.id}:reqh`, `x${x.id}:reqb`, `x${x.id}:resh`, `x${x.id}:resb`])];
      for (const k of keys) {
        if (value) {
          open.add(k);
          closed.delete(k);
        } else {
          open.delete(k);
          closed.add(k);
        }
      }
    }
    render();
  }

  function exportMarkdown(): void {
    if (exporting) return;
    exporting = true;
    message = undefined;
    render();
    rpc.request('flow/export', {}).then(
      () => {
        exporting = false;
        message = { level: 'pass', text: 'Opened the flow as Markdown in an editor.' };
        render();
      },
      (err: unknown) => {
        exporting = false;
        message = { level: 'fail', text: err instanceof RpcError ? err.message : String(err) };
        render();
      },
    );
  }

  function render(): void {
    const s = st;
    if (!s) return;
    const shown = filter === 'problems' ? s.steps.filter((x) => isProblem(x.level)) : s.steps;
    let list: HTMLElement;
    if (s.steps.length === 0) {
      list = h(
        'div',
        { class: 'tf-empty', 'data-testid': 'flow-empty' },
        h('h2', null, icon('list-flat'), ' Nothing recorded yet'),
        h('p', null, s.server.state === 'connected' || s.server.state === 'connecting' ? 'The steps appear here as they happen.' : 'The trace of a connection lives in memory while it is open. Connect to the server and the discovery, registration, sign-in and token steps appear here as they happen.'),
      );
    } else if (shown.length === 0) {
      list = h('p', { class: 'tf-empty', 'data-testid': 'flow-no-problems' }, icon('pass'), ' No problems: nothing warns or fails.');
    } else {
      // Numbers stay those of the full list, so "step 7" means the same in both views.
      const numbers = new Map(s.steps.map((x, i) => [x.id, i + 1]));
      list = h('ol', { class: 'tf-steps', 'aria-label': 'Flow steps' }, shown.map((x) => step(x, numbers.get(x.id) ?? 0)));
    }
    mount(app, serverBar(s.server), toolbar(s), s.initialize ? initializeSection(s.initialize) : null, list);
  }

  rpc.on('state/flow', (next: FlowState) => {
    rpc.setState({ kind: 'flow', serverId: next.server.id });
    st = next;
    const target = takeReveal(next);
    render();
    if (target !== undefined) {
      const el = document.getElementById(`exchange-${target}`);
      el?.scrollIntoView({ block: 'center' });
      (el?.querySelector('summary') as HTMLElement | null)?.focus({ preventScroll: true });
    }
  });
}
