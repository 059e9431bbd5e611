/**
 * The MCP Messages panel: every MCP message of a server's session, live (src/core/mcp/messageLog.ts).
 * Filter by method, direction and log level, search, pause, clear, follow; export as JSON Lines or
 * Markdown; copy a request as curl or fetch (the host writes the clipboard; the token is never here).
 * The toolbar is built once (typing is never interrupted); the list and the detail are redrawn.
 * Everything from a server is a text node (dom.ts). The panel times its own filtering and shows it.
 */
import type { MessageEntry, MessagesState, MessageExportFormat } from '../../src/shared/messages';
import { LOG_LEVELS } from '../../src/shared/messages';
import { serverBar } from '../common';
import { h, icon, mount } from '../dom';
import { RpcError, type Rpc } from '../rpc';
import { MAX_ROWS, MessagesModel, NO_FILTER, cap, detailPayload, filterEntries, methodsOf, prepareSearch, rowParts, statusText, type DirectionFilter, type MessageFilter } from './model';

export function startMessagesPanel(rpc: Rpc, app: HTMLElement): void {
  const model = new MessagesModel();
  const filter: MessageFilter = { ...NO_FILTER };
  let follow = true;
  let selected: number | undefined;
  let lastMs: number | undefined;
  let note: { level: 'pass' | 'fail'; text: string } | undefined;
  let methods: string[] = [];

  const bar = h('div', { class: 'msg-server' });
  const search = h('input', { type: 'search', class: 'msg-search', placeholder: 'Search method, id, payload, headers', 'aria-label': 'Search messages', 'data-testid': 'messages-search', spellcheck: 'false' });
  const methodSelect = h('select', { 'aria-label': 'Method', 'data-testid': 'messages-method' });
  const directionSelect = h(
    'select',
    { 'aria-label': 'Direction', 'data-testid': 'messages-direction' },
    h('option', { value: 'all' }, 'Both directions'),
    h('option', { value: 'out' }, '→ client to server'),
    h('option', { value: 'in' }, '← server to client'),
  );
  const levelSelect = h('select', { 'aria-label': 'Log level', 'data-testid': 'messages-level' }, h('option', { value: '' }, 'Any message'), LOG_LEVELS.map((l) => h('option', { value: l }, `log: ${l} and above`)));
  const pauseButton = h('button', { type: 'button', class: 'secondary', 'data-testid': 'messages-pause', 'aria-pressed': 'false' });
  const followBox = h('input', { type: 'checkbox', id: 'msg-follow', 'data-testid': 'messages-follow', checked: true });
  const clearButton = h('button', { type: 'button', class: 'secondary', 'data-testid': 'messages-clear', title: "Forget this server's messages" }, icon('clear-all'), ' Clear');
  const exportButton = (format: MessageExportFormat, label: string, iconName: string) =>
    h('button', { type: 'button', class: 'secondary', 'data-testid': `messages-export-${format}`, title: `${label}: save the messages in a file (secrets redacted)`, onclick: () => exportAs(format) }, icon(iconName), ` ${label}`);
  const status = h('p', { class: 'msg-status muted', role: 'status', 'data-testid': 'messages-status' });
  const noteLine = h('p', { class: 'msg-note', role: 'status', 'aria-live': 'polite' });
  const list = h('ol', { class: 'msg-list', 'aria-label': 'Messages', 'data-testid': 'messages-list' });
  const scroller = h('div', { class: 'msg-scroller' }, list);
  const detail = h('section', { class: 'msg-detail', 'aria-label': 'Message detail', 'data-testid': 'message-detail' });

  search.addEventListener('input', () => {
    filter.text = search.value;
    draw();
  });
  methodSelect.addEventListener('change', () => {
    filter.method = methodSelect.value;
    draw();
  });
  directionSelect.addEventListener('change', () => {
    filter.direction = directionSelect.value as DirectionFilter;
    draw();
  });
  levelSelect.addEventListener('change', () => {
    filter.level = levelSelect.value;
    draw();
  });
  pauseButton.addEventListener('click', () => {
    model.setPaused(!model.paused);
    draw();
  });
  followBox.addEventListener('change', () => {
    follow = followBox.checked;
    if (follow) scroller.scrollTop = scroller.scrollHeight;
  });
  clearButton.addEventListener('click', () => {
    rpc.request('messages/clear', {}).then(
      () => setNote('pass', 'Cleared.'),
      (err: unknown) => setNote('fail', err instanceof RpcError ? err.message : String(err)),
    );
  });

  mount(
    app,
    bar,
    h(
      'div',
      { class: 'msg-toolbar', role: 'toolbar', 'aria-label': 'Messages view' },
      search,
      methodSelect,
      directionSelect,
      levelSelect,
      pauseButton,
      h('label', { class: 'msg-follow', for: 'msg-follow' }, followBox, ' Follow'),
      clearButton,
      exportButton('jsonl', 'Export JSON Lines', 'json'),
      exportButton('markdown', 'Export Markdown', 'markdown'),
    ),
    status,
    noteLine,
    h('div', { class: 'msg-body' }, scroller, detail),
  );

  function setNote(level: 'pass' | 'fail', text: string): void {
    note = { level, text };
    mount(noteLine, h('span', { class: level === 'fail' ? 'tf-error' : 'muted' }, text));
  }

  function exportAs(format: MessageExportFormat): void {
    rpc.request('messages/export', { format }).then(
      (r) => r.saved && setNote('pass', `Saved the messages as ${format === 'jsonl' ? 'JSON Lines' : 'Markdown'}${r.file ? ` in ${r.file}` : ''}.`),
      (err: unknown) => setNote('fail', err instanceof RpcError ? err.message : String(err)),
    );
  }

  function copy(e: MessageEntry, as: 'curl' | 'fetch'): void {
    rpc.request('messages/copy', { seq: e.seq, as }).then(
      () => setNote('pass', `Copied the request as ${as === 'curl' ? 'a curl command' : 'a fetch() snippet'}; the token is read from $MCP_TOKEN.`),
      (err: unknown) => setNote('fail', err instanceof RpcError ? err.message : String(err)),
    );
  }

  function syncMethods(): void {
    const next = methodsOf(model.entries);
    if (filter.method && !next.includes(filter.method)) next.push(filter.method);
    if (next.length === methods.length && next.every((m, i) => m === methods[i])) return;
    methods = next;
    mount(methodSelect, h('option', { value: '' }, 'Every method'), methods.map((m) => h('option', { value: m }, cap(m, 80))));
    methodSelect.value = filter.method;
  }

  function row(e: MessageEntry): HTMLElement {
    const p = rowParts(e);
    return h(
      'li',
      { class: `msg-row msg-${e.direction} msg-kind-${e.kind}`, 'data-testid': 'message-row', 'data-kind': e.kind, 'aria-selected': e.seq === selected ? 'true' : 'false' },
      h(
        'button',
        { type: 'button', class: 'msg-row-button', onclick: () => select(e.seq) },
        h('span', { class: 'msg-time muted' }, new Date(e.at).toISOString().slice(11, 23)),
        h('span', { class: 'msg-arrow', 'aria-label': e.direction === 'out' ? 'sent' : 'received' }, p.arrow),
        h('span', { class: 'msg-kind' }, p.kind),
        h('span', { class: 'msg-method' }, p.method),
        p.id ? h('span', { class: 'msg-id muted' }, p.id) : null,
        p.level ? h('span', { class: 'badge msg-level' }, p.level) : null,
        p.origin ? h('span', { class: 'badge msg-origin', 'data-testid': 'message-origin', title: 'Sent for an MCP App view, through this connection' }, p.origin) : null,
        p.status ? h('span', { class: 'msg-http muted' }, p.status) : null,
        p.token ? h('span', { class: 'msg-token', 'data-testid': 'message-token' }, p.token) : null,
        p.timing ? h('span', { class: 'msg-timing muted' }, p.timing) : null,
        p.cut ? h('span', { class: 'msg-cut muted' }, p.cut) : null,
      ),
    );
  }

  function select(seq: number): void {
    selected = seq;
    draw();
  }

  function headerRows(hs: Record<string, string> | undefined): Node {
    const entries = Object.entries(hs ?? {});
    if (!entries.length) return h('p', { class: 'muted' }, 'none');
    return h('table', { class: 'tf-headers' }, h('tbody', null, entries.map(([k, v]) => h('tr', null, h('th', null, cap(k, 100)), h('td', null, h('code', null, cap(v, 2000)))))));
  }

  function drawDetail(): void {
    const e = selected !== undefined ? model.find(selected) : undefined;
    if (!e) {
      mount(detail, h('p', { class: 'muted' }, 'Pick a message to see its exchange and payload.'));
      return;
    }
    const p = rowParts(e);
    const canCopy = e.direction === 'out' && !!e.http;
    mount(
      detail,
      h('h2', null, `${p.arrow} ${p.kind} `, h('code', null, p.method), p.id ? ` ${p.id}` : ''),
      canCopy
        ? h(
            'div',
            { class: 'msg-actions' },
            h('button', { type: 'button', 'data-testid': 'message-copy-curl', onclick: () => copy(e, 'curl') }, icon('terminal'), ' Copy as curl'),
            h('button', { type: 'button', class: 'secondary', 'data-testid': 'message-copy-fetch', onclick: () => copy(e, 'fetch') }, icon('code'), ' Copy as fetch'),
          )
        : null,
      h(
        'dl',
        { class: 'msg-facts' },
        h('dt', null, 'When'),
        h('dd', null, new Date(e.at).toISOString(), p.timing ? ` · answered in ${p.timing}` : ''),
        e.protocol ? [h('dt', null, 'Protocol'), h('dd', null, `${e.protocol.version ?? '?'}${e.protocol.era ? ` · ${e.protocol.era === 'stateless-2026' ? 'stateless era' : 'session era'}` : ''}`)] : null,
        e.transport ? [h('dt', null, 'Transport'), h('dd', null, e.transport)] : null,
        p.origin ? [h('dt', null, 'Origin'), h('dd', null, 'an MCP App view (its call through this connection)')] : null,
        e.level ? [h('dt', null, 'Level'), h('dd', null, cap(e.level, 20), e.logger ? ` · logger ${cap(e.logger, 100)}` : '')] : null,
        e.http
          ? [
              h('dt', null, 'HTTP'),
              h('dd', null, h('code', null, `${e.http.method} ${cap(e.http.url, 500)}`), e.http.status !== undefined ? ` → ${e.http.status}` : '', e.http.exchange ? h('span', { class: 'muted' }, ` · trace exchange ${e.http.exchange}`) : null, e.http.error ? h('span', { class: 'tf-error' }, ` ${cap(e.http.error, 500)}`) : null),
            ]
          : null,
      ),
      e.http ? [h('h3', null, 'Request headers'), headerRows(e.http.requestHeaders)] : null,
      e.http?.responseHeaders ? [h('h3', null, 'Response headers'), headerRows(e.http.responseHeaders)] : null,
      h('h3', null, 'Payload', p.cut ? h('span', { class: 'muted' }, ` (${p.cut})`) : null),
      h('pre', { class: 'tf-body msg-payload', 'data-testid': 'message-payload' }, detailPayload(e)),
    );
  }

  function draw(): void {
    syncMethods();
    const t0 = performance.now();
    const shown = filterEntries(model.entries, filter);
    lastMs = performance.now() - t0;
    rpc.command('messages/filtered', { entries: model.entries.length, shown: shown.length, ms: Math.round(lastMs * 1000) / 1000 });
    const rows = shown.slice(-MAX_ROWS);
    mount(list, rows.map(row));
    status.textContent = statusText({ total: model.entries.length, shown: shown.length, rows: rows.length, dropped: model.dropped, ms: lastMs, held: model.held.length });
    pauseButton.setAttribute('aria-pressed', model.paused ? 'true' : 'false');
    mount(pauseButton, icon(model.paused ? 'debug-continue' : 'debug-pause'), model.paused ? ' Resume' : ' Pause');
    drawDetail();
    if (follow && !model.paused) scroller.scrollTop = scroller.scrollHeight;
  }

  rpc.on('state/messages', (s: MessagesState) => {
    rpc.setState({ kind: 'messages', serverId: s.server.id });
    mount(bar, serverBar(s.server));
    if (s.generation !== model.generation) selected = undefined;
    model.reset(s);
    draw();
    // the first search over a long log would build every entry's search text: do it now, off the typing path
    setTimeout(() => prepareSearch(model.entries), 200);
  });
  rpc.on('messages/append', (a) => {
    if (!model.append(a.generation, a.entries, a.dropped)) {
      rpc.command('reload', {});
      return;
    }
    prepareSearch(a.entries);
    draw();
  });
  if (note) setNote(note.level, note.text);
}
