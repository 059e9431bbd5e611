/**
 * The tools panel: the server's tools (searchable, keyboard navigable) with their
 * annotations and securitySchemes against the current token; a form generated from the selected
 * tool's input schema (form/), with a raw-JSON editor; Send, or "Sign in and call" when the token
 * does not cover the tool (and after a 401/403/tool-level challenge, which the host reports
 * instead of opening a browser); the result by content type; the history of calls.
 *
 * The host pushes `state/tools` on every connection change; the form is rebuilt only when the
 * selected tool or its schema changes, so what the user typed survives sign-ins and refreshes.
 * Everything else is keyed too: list items by tool name (a push rebuilds only the items whose view
 * changed), the bar, header, actions and history by what they show, so re-rendering the same state
 * touches no node and a token change only the items and lines it changes.
 */
import { MAX_MESSAGE_CHARS, type CallRecord, type SecurityView, type ToolsState, type ToolView } from '../src/shared/protocol';
import { serverBar } from './common';
import { h, icon, mount, relativeTime } from './dom';
import { buildForm, collect, extraKeys, initialDraft, type Draft, type FormModel } from './form/model';
import { renderForm, type FormView } from './form/view';
import { AUTH_CODES, callDuration, renderRecord, scopeList } from './result';
import { RpcError, type Rpc } from './rpc';

interface ToolUi {
  schemaKey: string;
  model: FormModel;
  draft: Draft;
  mode: 'form' | 'json';
  jsonText: string;
  /** A message about the JSON editor (invalid JSON, keys the form drops). */
  jsonNote?: string;
}

/** Arguments as sent, by record id (webview memory only: the host's history keeps them redacted). */
const sentArgs = new Map<number, Record<string, unknown>>();

export function startToolsPanel(rpc: Rpc, app: HTMLElement): void {
  let st: ToolsState | undefined;
  let selected: string | undefined;
  let hostSelected: string | undefined;
  let filter = '';
  let shown: CallRecord | undefined;
  let busy: string | undefined;
  /** The call in progress signs in first (Cancel belongs in the panel while it waits). */
  let busySignIn = false;
  let formFor: string | undefined;
  let formView: FormView | undefined;
  const uis = new Map<string, ToolUi>();

  const barSlot = h('div');
  const filterInput = h('input', {
    type: 'search',
    class: 'tool-filter',
    placeholder: 'Filter tools',
    'aria-label': 'Filter tools',
    'aria-controls': 'tool-list',
    oninput: (ev: Event) => {
      filter = (ev.target as HTMLInputElement).value;
      renderList();
    },
    onkeydown: (ev: Event) => {
      const k = (ev as KeyboardEvent).key;
      if (k === 'ArrowDown' || k === 'Enter') {
        ev.preventDefault();
        const first = options()[0];
        if (first) selectTool(first.dataset.tool!, { focus: 'list' });
      }
    },
  });
  const countEl = h('div', { class: 'tool-count muted', role: 'status' });
  const list = h('ul', { id: 'tool-list', class: 'tool-list', role: 'listbox', 'aria-label': 'Tools', onkeydown: onListKey, onclick: onListClick });
  const headerSlot = h('div', { class: 'tool-header' });
  const authSlot = h('div');
  const formSlot = h('div', { class: 'tool-form', onkeydown: onFormKey });
  const actionsSlot = h('div', { class: 'tool-actions' });
  const statusSlot = h('div', { class: 'call-status', role: 'status', 'aria-live': 'polite' });
  const signInSlot = h('div', { class: 'sign-in-wait' });
  const resultSlot = h('div', { class: 'result' });
  const historySlot = h('div', { class: 'history' });
  const detail = h('section', { class: 'tool-detail', 'aria-label': 'Selected tool' }, headerSlot, authSlot, formSlot, actionsSlot, statusSlot, signInSlot, resultSlot);
  const layout = h(
    'div',
    { class: 'tools-layout' },
    h('nav', { class: 'tool-nav', 'aria-label': 'Tools' }, filterInput, countEl, list, historySlot),
    detail,
  );
  mount(app, barSlot, layout);

  rpc.on('state/tools', (next: ToolsState) => {
    const t0 = performance.now();
    st = next;
    if (next.selected && next.selected !== hostSelected) selected = next.selected;
    hostSelected = next.selected;
    if (!selected || !next.tools.some((t) => t.name === selected)) selected = next.selected && next.tools.some((t) => t.name === next.selected) ? next.selected : next.tools[0]?.name;
    if (selected && selected !== hostSelected) remember(selected);
    render();
    // Reading a layout property forces style and layout now, so the time includes them (not paint).
    void app.offsetHeight;
    rpc.command('tools/rendered', { tools: next.tools.length, ms: performance.now() - t0 });
  });

  function remember(tool: string): void {
    if (!st) return;
    hostSelected = tool;
    rpc.setState({ kind: 'tools', serverId: st.server.id, tool });
    rpc.command('tools/select', { tool });
  }

  const tool = (): ToolView | undefined => st?.tools.find((t) => t.name === selected);
  const ui_mode = (t: ToolView | undefined) => (t ? (uis.get(t.name)?.mode ?? '') : '');
  const options = (): HTMLElement[] => [...list.children] as HTMLElement[];

  let barKey = '';
  function render(): void {
    if (!st) return;
    // the bar's relative expiry ("in 4 min") is part of its key: it still updates on every push
    const s = st.server;
    const key = JSON.stringify([s, s.signedIn && s.expiresAt ? relativeTime(s.expiresAt) : '']);
    if (key !== barKey) {
      mount(barSlot, serverBar(s), connectRow());
      barKey = key;
    }
    renderList();
    renderDetail();
    renderHistory();
    renderSignIn();
  }

  /* ------------------------------------------------------------ a sign-in waiting for the browser */

  /** What the sign-in notice shows (and the last action's outcome): unchanged → left alone. */
  let signInKey = '';
  let signInNote = '';

  /**
   * While a sign-in waits for the browser — one this panel started ("Signing in and calling …") or
   * one the host reports — the panel offers what gets the user unstuck when the browser never comes
   * back: copy the sign-in link, open it again, or cancel the wait (the call then fails as cancelled
   * and every button is usable again). The host keeps the URL; these only ask it to act.
   */
  function renderSignIn(): void {
    const host = st?.signIn?.host;
    const show = busySignIn || host !== undefined;
    const key = show ? JSON.stringify([host ?? null, busySignIn, signInNote]) : '';
    if (key === signInKey) return;
    const appearing = signInKey === '' && key !== '';
    const focusWasIn = signInSlot.contains(document.activeElement) ? (document.activeElement?.getAttribute('aria-label') ?? '') : undefined;
    signInKey = key;
    if (!show) {
      signInNote = '';
      mount(signInSlot);
      return;
    }
    mount(
      signInSlot,
      h(
        'div',
        { class: 'notice level-warn-box', role: 'group', 'aria-label': 'Sign-in waiting for the browser' },
        icon('sign-in'),
        h('span', null, host !== undefined ? [`Sign in at `, h('strong', null, clip(host, 200)), ' in your browser. No browser, or it does not come back? '] : 'Waiting for the sign-in… '),
        host !== undefined
          ? [
              h('button', { type: 'button', class: 'secondary', 'data-testid': 'sign-in-copy', 'aria-label': 'Copy sign-in link', title: 'Copy the authorization URL to open it in any browser', onclick: () => signInAction('auth/copyLink') }, icon('copy'), ' Copy sign-in link'),
              ' ',
              h('button', { type: 'button', class: 'secondary', 'data-testid': 'sign-in-open-again', 'aria-label': 'Open again', title: 'Open the same sign-in page in the browser again', onclick: () => signInAction('auth/openAgain') }, icon('link-external'), ' Open again'),
              ' ',
            ]
          : null,
        h('button', { type: 'button', class: 'secondary', 'data-testid': 'sign-in-cancel', 'aria-label': 'Cancel', title: 'Stop waiting for the browser', onclick: () => signInAction('auth/cancel') }, icon('close'), ' Cancel'),
        h('span', { class: 'muted sign-in-note', role: 'status' }, signInNote),
      ),
    );
    // keep the keyboard where it was; when the notice appears and the focus was on a button the call disabled, offer it here
    if (focusWasIn !== undefined) ([...signInSlot.querySelectorAll('button')].find((b) => b.getAttribute('aria-label') === focusWasIn) ?? signInSlot.querySelector('button'))?.focus();
    else if (appearing && (document.activeElement === document.body || (document.activeElement as HTMLButtonElement | null)?.disabled)) signInSlot.querySelector<HTMLElement>('button')?.focus();
  }

  function signInAction(method: 'auth/copyLink' | 'auth/openAgain' | 'auth/cancel'): void {
    rpc.request(method, {}).then(
      (r) => {
        const done = 'copied' in r ? r.copied : 'opened' in r ? r.opened : r.cancelled;
        signInNote = !done
          ? 'No sign-in is waiting any more.'
          : method === 'auth/copyLink'
            ? 'Copied: paste it into a browser on this machine.'
            : method === 'auth/openAgain'
              ? 'Opened again.'
              : 'Cancelled.';
        renderSignIn();
      },
      (err: unknown) => {
        signInNote = err instanceof Error ? err.message : String(err);
        renderSignIn();
      },
    );
  }

  function connectRow(): HTMLElement | null {
    if (!st || st.server.state === 'connected') return null;
    const connecting = st.server.state === 'connecting';
    return h(
      'div',
      { class: 'notice' },
      icon('debug-disconnect'),
      h('span', null, `${st.server.name} is ${st.server.state.replace(/-/g, ' ')}.`),
      h('button', { type: 'button', class: 'primary', disabled: connecting, onclick: () => void connect() }, icon('plug'), connecting ? ' Connecting…' : ' Connect'),
    );
  }

  async function connect(): Promise<void> {
    try {
      await rpc.request('server/connect', {});
    } catch (err) {
      mount(statusSlot, h('p', { class: 'error', role: 'alert' }, icon('error'), ` ${(err as Error).message}`));
    }
  }

  /* ------------------------------------------------------------------------------ the tool list */

  /**
   * The list is keyed by tool name: a push re-renders only the items whose view changed (title,
   * security, coverage) and flips aria-selected / tabindex on the ones whose selection or tab stop
   * moved; the rest keep their nodes (and the keyboard focus stays where it is). Every item is kept
   * while its tool is listed, so clearing the filter brings items back without building them again.
   */
  interface Item {
    el: HTMLLIElement;
    /** securityKey() and title of what the item shows now; '' before it is filled. */
    sig: string;
    /** The tool object (and signedIn) it was last checked against: the same → nothing to compare. */
    from?: ToolView;
    signedIn?: boolean;
    selected?: boolean;
    focusable?: boolean;
  }
  const items = new Map<string, Item>();
  /** The item keys of st.tools, in order (the name; `name\u0000n` for the nth duplicate name). */
  let keysFor: ToolView[] | undefined;
  let keys: string[] = [];

  function toolKeys(tools: ToolView[]): string[] {
    if (keysFor === tools) return keys;
    const seen = new Set<string>();
    keys = tools.map((t) => {
      let k = t.name;
      for (let n = 1; seen.has(k); n++) k = `${t.name}\u0000${n}`;
      seen.add(k);
      return k;
    });
    keysFor = tools;
    // forget the items of tools the server no longer lists
    for (const k of items.keys()) if (!seen.has(k)) items.delete(k);
    return keys;
  }

  function renderList(): void {
    if (!st) return;
    const hadFocus = list.contains(document.activeElement);
    const tools = st.tools;
    const ks = toolKeys(tools);
    const q = filter.trim().toLowerCase();
    const visible: number[] = [];
    for (let i = 0; i < tools.length; i++) if (matches(tools[i], q)) visible.push(i);
    setText(countEl, tools.length === 0 ? (st.server.state === 'connected' ? 'No tools.' : 'Connect to list the tools.') : visible.length === tools.length ? `${tools.length} tool${tools.length === 1 ? '' : 's'}` : `${visible.length} of ${tools.length} tools`);
    const focusable = visible.some((i) => tools[i].name === selected) ? selected : tools[visible[0]]?.name;
    const signedIn = st.server.signedIn;
    const want: HTMLLIElement[] = [];
    let selEl: HTMLLIElement | undefined;
    for (const i of visible) {
      const t = tools[i];
      let it = items.get(ks[i]);
      if (!it) items.set(ks[i], (it = { el: h('li', { role: 'option', class: 'tool-item', 'data-tool': t.name }), sig: '' }));
      if (it.from !== t || it.signedIn !== signedIn) {
        const secKey = securityKey(t.security, signedIn);
        const sig = `${secKey}\u0000${t.title ?? ''}`;
        if (it.sig !== sig) {
          fillItem(it.el, t, secKey, signedIn);
          it.sig = sig;
        }
        it.from = t;
        it.signedIn = signedIn;
      }
      const sel = t.name === selected;
      if (it.selected !== sel) it.el.setAttribute('aria-selected', (it.selected = sel) ? 'true' : 'false');
      if (sel) selEl ??= it.el;
      const tab = t.name === focusable;
      if (it.focusable !== tab) it.el.tabIndex = (it.focusable = tab) ? 0 : -1;
      want.push(it.el);
    }
    placeChildren(list, want);
    // the focus follows the selected item (it stays put when that item kept its node)
    if (hadFocus && selEl && document.activeElement !== selEl) selEl.focus();
  }

  /** A click anywhere in an item selects it (one listener for the list, not one per item). */
  function onListClick(ev: Event): void {
    const li = ev.target instanceof Element ? ev.target.closest('li.tool-item') : null;
    if (li instanceof HTMLElement && li.parentElement === list) selectTool(li.dataset.tool!, { focus: 'list' });
  }

  function onListKey(ev: Event): void {
    const e = ev as KeyboardEvent;
    const opts = options();
    const i = opts.findIndex((o) => o === document.activeElement);
    let next: HTMLElement | undefined;
    if (e.key === 'ArrowDown') next = opts[Math.min(opts.length - 1, i + 1)];
    else if (e.key === 'ArrowUp') next = i <= 0 ? undefined : opts[i - 1];
    else if (e.key === 'Home') next = opts[0];
    else if (e.key === 'End') next = opts[opts.length - 1];
    else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      const cur = opts[i];
      if (cur) selectTool(cur.dataset.tool!, { focus: 'form' });
      return;
    } else return;
    e.preventDefault();
    if (e.key === 'ArrowUp' && i <= 0) {
      filterInput.focus();
      return;
    }
    if (next) selectTool(next.dataset.tool!, { focus: 'list' });
  }

  function selectTool(name: string, opts: { focus?: 'list' | 'form' } = {}): void {
    const changed = name !== selected;
    selected = name;
    if (changed) {
      shown = undefined;
      remember(name);
    }
    renderList();
    renderDetail();
    renderHistory();
    if (opts.focus === 'list') options().find((o) => o.dataset.tool === name)?.focus();
    if (opts.focus === 'form') focusForInput();
  }

  /**
   * Where Enter on a tool takes the keyboard: the first field that needs input (the first required
   * field left empty, else the first field), the JSON editor when the form cannot show the schema,
   * else the call button (a tool without arguments).
   */
  function focusForInput(): void {
    if (formView?.focusFirstNeeded()) return;
    const editor = formView ? undefined : formSlot.querySelector<HTMLElement>('textarea');
    if (editor) editor.focus();
    else actionsSlot.querySelector<HTMLElement>('button.primary')?.focus();
  }

  /* ---------------------------------------------------------------------------- the selected tool */

  function uiFor(t: ToolView): ToolUi {
    const schemaKey = JSON.stringify(t.inputSchema) ?? '';
    let ui = uis.get(t.name);
    if (!ui || ui.schemaKey !== schemaKey) {
      const model = buildForm(t.inputSchema);
      const draft = initialDraft(model.root);
      ui = { schemaKey, model, draft, mode: model.fallback ? 'json' : 'form', jsonText: model.fallback ? jsonOfDraftRoot(model, draft) : '' };
      uis.set(t.name, ui);
      if (formFor?.startsWith(`${t.name}\u0000`)) formFor = undefined; // the schema changed: rebuild the form (formFor is name + mode)
    }
    return ui;
  }

  /** What the header and the sign-in notice were built from, and the actions: unchanged → left alone. */
  let headerKey = '';
  let actionsKey = '';

  function renderDetail(): void {
    const t = tool();
    if (!st || !t) {
      const key = `none ${st?.tools.length ? 1 : 0}`;
      if (key !== headerKey) mount(headerSlot, h('p', { class: 'muted' }, st?.tools.length ? 'Select a tool.' : ''));
      for (const slot of [authSlot, formSlot, actionsSlot, resultSlot]) if (slot.firstChild) mount(slot);
      headerKey = key;
      actionsKey = '';
      resultKey = '';
      formFor = undefined;
      return;
    }
    const key = JSON.stringify(['tool', t.name, t.title, t.description, t.annotations, t.security, st.server.signedIn, st.server.scopes]);
    if (key !== headerKey) {
      mount(headerSlot, toolHeader(t));
      mount(authSlot, authNotice(t));
      headerKey = key;
    }
    const ui = uiFor(t);
    if (formFor !== `${t.name}\u0000${ui.mode}`) {
      renderFormSlot(t, ui);
      formFor = `${t.name}\u0000${ui.mode}`;
    }
    renderActions(t);
    renderResult();
  }

  function toolHeader(t: ToolView): HTMLElement {
    const s = t.security;
    return h(
      'div',
      null,
      h('h2', { class: 'tool-title' }, t.title ? [clip(t.title, 200), ' ', h('span', { class: 'muted mono' }, clip(t.name, 120))] : h('span', { class: 'mono' }, clip(t.name, 200))),
      t.description ? h('p', { class: 'tool-description' }, clip(t.description, 10_000)) : null,
      h('div', { class: 'labels' }, annotationLabels(t.annotations)),
      h(
        'div',
        { class: 'security-line' },
        h('span', { class: 'muted' }, 'Security: '),
        securityBadge(s, false),
        ' ',
        coverageBadge(s, st!.server.signedIn),
        h('span', { class: 'muted' }, ` · ${s.source === 'default' ? 'not declared (the server’s default)' : `declared in ${s.source}`}`),
      ),
      s.mismatch
        ? h(
            'div',
            { class: 'notice level-warn-box security-mismatch', role: 'note', 'data-testid': 'security-mismatch' },
            icon('warning'),
            h('span', null, h('strong', null, 'Declared and observed security disagree: '), `${s.mismatch.message}. The server enforces more than the tool declares: sign in to call it.`),
          )
        : null,
      h(
        'div',
        { class: 'token-line muted' },
        st!.server.signedIn ? ['Your token: ', st!.server.scopes.length ? scopeList(st!.server.scopes) : 'no scopes'] : 'Not signed in: calls go without a token.',
      ),
    );
  }

  /** Before calling: what the tool needs that the token lacks, and the offer to sign in first. */
  function authNotice(t: ToolView): HTMLElement | null {
    if (!needsSignIn(t)) return null;
    const s = t.security;
    return h(
      'div',
      { class: 'notice level-warn-box', role: 'note' },
      icon('lock'),
      h(
        'span',
        null,
        h('span', { class: 'mono' }, clip(t.name, 80)),
        s.missing.length ? [' needs ', scopeList(s.missing), '. '] : ' needs a signed-in token. ',
        st!.server.signedIn ? (st!.server.scopes.length ? ['Your token has ', scopeList(st!.server.scopes), '. '] : 'Your token has no scopes. ') : 'You are not signed in. ',
        `“Sign in and call” asks the authorization server for ${s.missing.length ? (s.missing.length === 1 ? 'it' : 'them') : 'a token'} first.`,
      ),
    );
  }

  // a tool declared public that the server refused without a token needs one all the same
  const needsSignIn = (t: ToolView) => (t.security.requiresAuth && !t.security.covered) || (!!t.security.mismatch && !st?.server.signedIn);
  let formSeq = 0;

  function renderFormSlot(t: ToolView, ui: ToolUi): void {
    formView = undefined;
    const prefix = `f${++formSeq}`; // unique element ids per built form (labels point at them)
    if (ui.mode === 'form') {
      formView = renderForm(ui.model, ui.draft, prefix);
      mount(formSlot, h('div', { class: 'form-head' }, h('h3', null, 'Arguments'), modeToggle(ui)), formView.element);
      return;
    }
    const id = `${prefix}-json`;
    const ta = h('textarea', {
      id,
      class: 'json-editor',
      rows: Math.min(20, Math.max(6, ui.jsonText.split('\n').length + 1)),
      spellcheck: 'false',
      'aria-describedby': `${id}-note`,
      oninput: (ev: Event) => {
        ui.jsonText = (ev.target as HTMLTextAreaElement).value;
      },
    });
    ta.value = ui.jsonText;
    mount(
      formSlot,
      h('div', { class: 'form-head' }, h('h3', null, h('label', { for: id }, 'Arguments (JSON)')), modeToggle(ui)),
      ui.model.fallback ? h('p', { class: 'muted' }, icon('info'), ` The form cannot show this schema (${ui.model.fallback}): edit the arguments as JSON.`) : null,
      ta,
      h('div', { class: 'field-msg', id: `${id}-note`, role: 'alert', hidden: !ui.jsonNote }, ui.jsonNote ?? ''),
      h('details', { class: 'schema' }, h('summary', null, 'Input schema'), h('pre', { class: 'json' }, clip(JSON.stringify(t.inputSchema, null, 2) ?? '', 100_000))),
    );
  }

  function modeToggle(ui: ToolUi): HTMLElement {
    return h(
      'div',
      { class: 'mode-toggle', role: 'group', 'aria-label': 'Edit arguments as' },
      h('button', { type: 'button', class: 'toggle', 'aria-pressed': ui.mode === 'form' ? 'true' : 'false', disabled: !!ui.model.fallback, onclick: () => switchMode(ui, 'form') }, icon('list-flat'), ' Form'),
      h('button', { type: 'button', class: 'toggle', 'aria-pressed': ui.mode === 'json' ? 'true' : 'false', onclick: () => switchMode(ui, 'json') }, icon('json'), ' JSON'),
    );
  }

  function switchMode(ui: ToolUi, mode: 'form' | 'json'): void {
    if (ui.mode === mode) return;
    ui.jsonNote = undefined;
    if (mode === 'json') {
      ui.jsonText = jsonOfDraftRoot(ui.model, ui.draft);
    } else {
      let parsed: unknown;
      try {
        parsed = ui.jsonText.trim() ? JSON.parse(ui.jsonText) : {};
      } catch (err) {
        ui.jsonNote = `Not valid JSON: ${(err as Error).message}. Fix it to go back to the form.`;
        renderDetail();
        return;
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
        ui.jsonNote = 'The arguments must be a JSON object.';
        renderDetail();
        return;
      }
      const extra = extraKeys(ui.model, parsed);
      if (extra.length) {
        ui.jsonNote = `The form has no field for ${extra.map((k) => JSON.stringify(clip(k, 40))).join(', ')}: stay in JSON to send ${extra.length === 1 ? 'it' : 'them'}.`;
        renderDetail();
        return;
      }
      ui.draft = initialDraft(ui.model.root, parsed);
    }
    ui.mode = mode;
    formFor = undefined;
    renderDetail();
    formSlot.querySelector<HTMLElement>('.mode-toggle button[aria-pressed="true"]')?.focus();
  }

  function renderActions(t: ToolView): void {
    // what fillActions shows: unchanged → the buttons (and the focus on one of them) stay as they are
    const key = `${needsSignIn(t)} ${busy !== undefined} ${st!.server.state !== 'connected'}`;
    if (key === actionsKey && actionsSlot.firstChild) return;
    actionsKey = key;
    // a re-render must not drop the keyboard focus from the button the user is on
    const focused = actionsSlot.contains(document.activeElement) ? document.activeElement?.textContent : undefined;
    fillActions(t);
    if (focused !== undefined) ([...actionsSlot.querySelectorAll('button')].find((b) => b.textContent === focused) ?? actionsSlot.querySelector('button'))?.focus();
  }

  /** The buttons call the selected tool as it is when clicked (they outlive the push that built them). */
  function fillActions(t: ToolView): void {
    const gate = needsSignIn(t);
    const call = (signIn: boolean) => () => {
      const cur = tool();
      if (cur) void send(cur, uiFor(cur), signIn);
    };
    const isBusy = busy !== undefined;
    const offline = st!.server.state !== 'connected';
    mount(
      actionsSlot,
      gate
        ? [
            h('button', { type: 'button', class: 'primary', 'data-testid': 'sign-in-and-call', disabled: isBusy || offline, onclick: call(true) }, icon('sign-in'), ' Sign in and call'),
            ' ',
            h('button', { type: 'button', class: 'secondary', title: 'Call without signing in first (see how the server answers)', disabled: isBusy || offline, onclick: call(false) }, icon('play'), ' Call without signing in'),
          ]
        : h('button', { type: 'button', class: 'primary', 'data-testid': 'send', disabled: isBusy || offline, onclick: call(false) }, icon('play'), ' Send'),
      h('span', { class: 'muted key-hint' }, ` Enter in a field (Ctrl+Enter in a text box) ${gate ? 'signs in and calls' : 'sends'}`),
    );
  }

  function onFormKey(ev: Event): void {
    const e = ev as KeyboardEvent;
    if (e.key !== 'Enter' || e.isComposing) return;
    const target = e.target as HTMLElement;
    const isText = target.tagName === 'TEXTAREA';
    if (isText ? !(e.ctrlKey || e.metaKey) : target.tagName !== 'INPUT') return;
    if ((target as HTMLInputElement).type === 'checkbox' && !(e.ctrlKey || e.metaKey)) return;
    e.preventDefault();
    const t = tool();
    if (t) void send(t, uiFor(t), needsSignIn(t));
  }

  /** The arguments from the form or the JSON editor; undefined (with messages shown) when invalid. */
  function argsFrom(ui: ToolUi): Record<string, unknown> | undefined {
    if (ui.mode === 'form' && formView) {
      const r = formView.validate(true);
      if (r.errors.size) {
        formView.focusFirstError();
        mount(statusSlot, h('p', { class: 'error' }, icon('error'), ` Fix ${r.errors.size} field${r.errors.size === 1 ? '' : 's'} first.`));
        return undefined;
      }
      return r.value;
    }
    const showNote = (m: string) => {
      ui.jsonNote = m;
      const note = formSlot.querySelector<HTMLElement>('.field-msg');
      if (note) {
        note.textContent = m;
        note.hidden = false;
      }
      formSlot.querySelector('textarea')?.setAttribute('aria-invalid', 'true');
      formSlot.querySelector<HTMLElement>('textarea')?.focus();
    };
    let parsed: unknown;
    try {
      parsed = ui.jsonText.trim() ? JSON.parse(ui.jsonText) : {};
    } catch (err) {
      showNote(`Not valid JSON: ${(err as Error).message}`);
      return undefined;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      showNote('The arguments must be a JSON object.');
      return undefined;
    }
    formSlot.querySelector('textarea')?.removeAttribute('aria-invalid');
    return parsed as Record<string, unknown>;
  }

  async function send(t: ToolView, ui: ToolUi, signIn: boolean, given?: Record<string, unknown>): Promise<void> {
    if (busy) return;
    const args = given ?? argsFrom(ui);
    if (!args) return;
    const size = JSON.stringify(args).length;
    if (size > MAX_MESSAGE_CHARS - 4096) {
      mount(statusSlot, h('p', { class: 'error', role: 'alert' }, icon('error'), ` The arguments are too large to send (${size} characters; the limit is ${MAX_MESSAGE_CHARS - 4096}).`));
      return;
    }
    // the buttons are disabled while the call runs: remember which one had the focus
    const refocus = actionsSlot.contains(document.activeElement) ? (document.activeElement?.textContent ?? '') : undefined;
    const fromResult = resultSlot.contains(document.activeElement);
    busy = t.name;
    busySignIn = signIn;
    signInNote = '';
    renderSignIn();
    mount(statusSlot, h('p', null, h('span', { class: 'codicon codicon-loading codicon-modifier-spin', 'aria-hidden': 'true' }), signIn ? ` Signing in and calling ${clip(t.name, 80)}…` : ` Calling ${clip(t.name, 80)}…`));
    renderActions(t);
    let rec: CallRecord | undefined;
    try {
      rec = await rpc.request('tools/call', { tool: t.name, args, signIn });
      sentArgs.set(rec.id, args);
      if (selected === t.name) shown = rec;
      // a short summary for screen readers (the result itself is not a live region: it can be long)
      mount(statusSlot, h('span', { class: 'sr-only' }, `${t.name}: ${!rec.ok ? `failed (${rec.error?.code ?? 'error'})` : rec.isError ? 'the tool reported an error' : 'ok'}, ${callDuration(rec)}`));
    } catch (err) {
      // the host refused the message itself (not a call outcome: those come back as records)
      mount(statusSlot, h('p', { class: 'error', role: 'alert' }, icon('error'), ` ${err instanceof RpcError ? err.message : String(err)}`));
    } finally {
      busy = undefined;
      busySignIn = false;
      renderDetail();
      renderHistory();
      renderSignIn();
    }
    // an offer to sign in takes the focus (Enter accepts it); otherwise the focus stays where it was
    const offer = rec?.error ? resultSlot.querySelector<HTMLElement>('.call-error button') : null;
    if (offer) offer.focus();
    else if (refocus !== undefined) ([...actionsSlot.querySelectorAll('button')].find((b) => b.textContent === refocus) ?? actionsSlot.querySelector('button'))?.focus();
    else if (fromResult) resultSlot.querySelector<HTMLElement>('.record')?.focus();
  }

  /* ------------------------------------------------------------------------ result and history */

  /** Full records fetched for history entries that arrived as summaries (a few, newest last). */
  const fetched = new Map<number, CallRecord>();
  const loading = new Set<number>();

  function full(rec: CallRecord): CallRecord | undefined {
    if (!rec.partial) return rec;
    const got = fetched.get(rec.id);
    if (got) return got;
    if (!loading.has(rec.id)) {
      loading.add(rec.id);
      void rpc.request('tools/record', { id: rec.id }).then(
        (r) => {
          loading.delete(rec.id);
          fetched.set(rec.id, r);
          while (fetched.size > 10) fetched.delete(fetched.keys().next().value as number);
          resultKey = '';
          renderResult();
        },
        (err: unknown) => {
          loading.delete(rec.id);
          mount(resultSlot, h('p', { class: 'error', role: 'alert' }, icon('error'), ` ${err instanceof Error ? err.message : String(err)}`));
          resultKey = 'error';
        },
      );
    }
    return undefined;
  }

  let resultKey = '';
  function renderResult(): void {
    const t = tool();
    const listed = shown ?? st?.history.find((r) => r.tool === t?.name);
    const rec = listed && full(listed);
    if (listed && !rec) {
      if (resultKey !== `loading ${listed.id}`) mount(resultSlot, h('p', { class: 'muted' }, 'Loading the result…'));
      resultKey = `loading ${listed.id}`;
      return;
    }
    // unchanged → left alone, so disclosures the user opened stay open across state pushes
    const key = rec && st ? `${rec.id} ${busy ?? ''} ${st.server.scopes.join(' ')} ${ui_mode(t)}` : '';
    if (key === resultKey && (key !== '' || resultSlot.childElementCount === 0)) return;
    resultKey = key;
    if (!rec || !st) {
      mount(resultSlot);
      return;
    }
    const recTool = st.tools.find((x) => x.name === rec.tool);
    const ui = recTool ? uiFor(recTool) : undefined;
    mount(
      resultSlot,
      h('h3', null, 'Result'),
      renderRecord(rec, {
        busy: busy !== undefined,
        held: st.server.scopes,
        signInAndCall: recTool && ui ? () => void send(recTool, ui, true, sentArgs.get(rec.id) ?? rec.args) : undefined,
        useArguments:
          recTool && ui && rec.args && Object.keys(rec.args).length
            ? () => {
                const args = sentArgs.get(rec.id) ?? rec.args;
                if (ui.mode === 'form' && extraKeys(ui.model, args).length === 0) ui.draft = initialDraft(ui.model.root, args);
                else {
                  ui.mode = 'json';
                  ui.jsonText = JSON.stringify(args, null, 2);
                }
                formFor = undefined;
                renderDetail();
              }
            : undefined,
      }),
    );
  }

  function onHistoryKey(ev: Event): void {
    const e = ev as KeyboardEvent;
    const items = [...historySlot.querySelectorAll<HTMLElement>('.history-item')];
    const i = items.findIndex((x) => x === document.activeElement);
    const next = e.key === 'ArrowDown' ? items[i + 1] : e.key === 'ArrowUp' ? items[i - 1] : e.key === 'Home' ? items[0] : e.key === 'End' ? items[items.length - 1] : undefined;
    if (!next) return;
    e.preventDefault();
    for (const x of items) x.tabIndex = x === next ? 0 : -1;
    next.focus();
  }

  /** What the history list was built from: unchanged → left alone (with the focus and arrow position in it). */
  let historyKey = '';
  function renderHistory(): void {
    if (!st) return;
    const hadFocus = historySlot.contains(document.activeElement);
    const hist = st.history;
    if (hist.length === 0) {
      if (historySlot.firstChild) mount(historySlot);
      historyKey = '';
      return;
    }
    const current = shown ?? st.history.find((r) => r.tool === selected);
    const stop = hist.find((r) => r.id === current?.id)?.id ?? hist[0].id;
    const key = JSON.stringify([stop, current?.id, hist.map((r) => [r.id, r.tool, r.at, r.durationMs, r.signInMs, r.ok, r.isError, r.error?.code, r.authenticated])]);
    if (key === historyKey) return;
    historyKey = key;
    mount(
      historySlot,
      h('h3', { class: 'history-title' }, icon('history'), ` History (${hist.length})`),
      h(
        'ol',
        { class: 'history-list', 'aria-label': 'Calls to this server, newest first', onkeydown: onHistoryKey },
        hist.map((r) =>
          h(
            'li',
            null,
            h(
              'button',
              {
                type: 'button',
                class: 'history-item',
                // one tab stop for the whole list; arrows move within it
                tabindex: r.id === stop ? 0 : -1,
                'aria-current': current?.id === r.id ? 'true' : undefined,
                onclick: () => {
                  if (st!.tools.some((t) => t.name === r.tool) && r.tool !== selected) {
                    selected = r.tool;
                    remember(r.tool);
                  }
                  // the record as the latest push has it (this button can outlive the push that built it)
                  shown = st!.history.find((x) => x.id === r.id) ?? r;
                  renderList();
                  renderDetail();
                  renderHistory();
                  resultSlot.scrollIntoView?.({ block: 'nearest' });
                  historySlot.querySelector<HTMLElement>('.history-item[aria-current="true"]')?.focus();
                },
              },
              icon(!r.ok ? (r.error && AUTH_CODES.has(r.error.code) ? 'lock' : 'error') : r.isError ? 'warning' : 'pass'),
              h('span', { class: 'sr-only' }, !r.ok ? (r.error && AUTH_CODES.has(r.error.code) ? 'sign-in needed: ' : 'failed: ') : r.isError ? 'tool error: ' : 'ok: '),
              ' ',
              h('span', { class: 'mono' }, clip(r.tool, 60)),
              h('span', { class: 'muted' }, ` ${new Date(r.at).toLocaleTimeString()} · ${callDuration(r)}${r.authenticated ? ' · token' : ''}`),
            ),
          ),
        ),
      ),
    );
    if (hadFocus) historySlot.querySelector<HTMLElement>('.history-item[tabindex="0"]')?.focus();
  }
}

/* ------------------------------------------------------------------------------------- helpers */

function jsonOfDraftRoot(model: FormModel, draft: Draft): string {
  if (model.root.kind === 'json') {
    const d = draft as Extract<Draft, { t: 'text' }>;
    return d.text.trim() ? d.text : '{}';
  }
  // partial values are fine here: the JSON editor is where one fixes what the form cannot express
  return JSON.stringify(collect(model, draft).value, null, 2);
}

function matches(t: ToolView, q: string): boolean {
  if (!q) return true;
  return t.name.toLowerCase().includes(q) || (t.title ?? '').toLowerCase().includes(q) || (t.description ?? '').toLowerCase().includes(q);
}

/**
 * All that a list item's icon and badges depend on (signedIn matters only to coverageBadge's 'both'
 * case). With the title this is the item's signature: equal → the item is left alone (the name is
 * its key).
 */
function securityKey(s: SecurityView, signedIn: boolean): string {
  return JSON.stringify([s.kind, s.requiresAuth, s.covered, s.scopesNeeded, s.missing, s.kind === 'both' && signedIn, s.mismatch?.message ?? null]);
}

/**
 * Nodes built once per distinct key, then deep-cloned: a thousand list items repeat a handful of
 * badge rows, and cloning copies our own nodes (their text stays text) for a fraction of building
 * them. Bounded: a server with endless distinct scopes just rebuilds.
 */
const protos = new Map<string, Element>();
function fromProto<T extends Element>(key: string, build: () => T): T {
  let p = protos.get(key);
  if (!p) {
    if (protos.size >= 200) protos.clear();
    protos.set(key, (p = build()));
  }
  return p.cloneNode(true) as T;
}

/** A list item's content (server text as text: the name and title through h(), badges cloned). */
function fillItem(el: HTMLLIElement, t: ToolView, secKey: string, signedIn: boolean): void {
  const s = t.security;
  const glyph = s.requiresAuth ? (s.covered ? 'unlock' : 'lock') : 'globe';
  const name = fromProto(`name ${glyph}`, () => h('div', { class: 'tool-item-name' }, icon(glyph), ' ', h('span', { class: 'mono' })));
  name.lastChild!.textContent = clip(t.name, 80);
  mount(
    el,
    name,
    t.title ? h('div', { class: 'tool-item-title muted' }, clip(t.title, 120)) : null,
    fromProto(`badges ${secKey}`, () =>
      h(
        'div',
        { class: 'tool-item-badges' },
        securityBadge(s, true),
        ' ',
        coverageBadge(s, signedIn),
        s.mismatch ? [' ', h('span', { class: 'badge level-warn sec-mismatch', 'data-level': 'warn', title: s.mismatch.message }, icon('warning'), ` refused without a token (${s.mismatch.status})`)] : null,
      ),
    ),
  );
}

/**
 * Makes `want` the children of `parent`, in order, moving only what is out of place: nodes not
 * wanted are removed, nodes already in order stay untouched (no detach, so no lost focus), runs of
 * new or moved nodes go in as one fragment.
 */
function placeChildren(parent: Element, want: readonly Element[]): void {
  if (parent.firstChild) {
    const keep = new Set<Node>(want);
    let c: ChildNode | null = parent.firstChild;
    while (c) {
      const next: ChildNode | null = c.nextSibling;
      if (!keep.has(c)) c.remove();
      c = next;
    }
  }
  let cursor = parent.firstChild;
  let run: DocumentFragment | undefined;
  for (const el of want) {
    if (el === cursor) {
      if (run) parent.insertBefore(run, cursor);
      run = undefined;
      cursor = cursor.nextSibling;
    } else (run ??= document.createDocumentFragment()).appendChild(el);
  }
  if (run) parent.insertBefore(run, cursor);
}

/** Sets text only when it differs (a live region is not re-announced, no needless mutation). */
function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

const ANNOTATION_WORDS: Record<string, [string, string]> = {
  readOnlyHint: ['read-only', 'writes'],
  destructiveHint: ['destructive', 'not destructive'],
  idempotentHint: ['idempotent', 'not idempotent'],
  openWorldHint: ['open world', 'closed world'],
};

/** The tool's annotations as small labels (text only, whatever the server put there). */
function annotationLabels(a: Record<string, unknown> | undefined): HTMLElement[] {
  if (!a || typeof a !== 'object') return [];
  const out: HTMLElement[] = [];
  for (const [k, v] of Object.entries(a).slice(0, 20)) {
    if (k === 'title') continue;
    const words = Object.hasOwn(ANNOTATION_WORDS, k) && typeof v === 'boolean' ? ANNOTATION_WORDS[k][v ? 0 : 1] : `${clip(k, 40)}: ${clip(JSON.stringify(v) ?? String(v), 60)}`;
    const warn = k === 'destructiveHint' && v === true;
    out.push(h('span', { class: `label${warn ? ' label-warn' : ''}`, title: `${clip(k, 60)}: ${clip(JSON.stringify(v) ?? '', 60)}` }, words));
  }
  return out;
}

/** public / OAuth + scopes / public or OAuth / server default. (securityKey() names every field this and coverageBadge read.) */
function securityBadge(s: SecurityView, short: boolean): HTMLElement {
  const scopes = s.scopesNeeded.length ? ` · ${clip(s.scopesNeeded.join(' '), short ? 40 : 120)}` : '';
  switch (s.kind) {
    case 'public':
      return h('span', { class: 'badge sec-public', 'data-kind': 'public', title: 'securitySchemes: noauth' }, icon('globe'), ' public');
    case 'oauth':
      return h('span', { class: 'badge sec-oauth', 'data-kind': 'oauth', title: 'securitySchemes: oauth2' }, icon('lock'), ` OAuth${scopes}`);
    case 'both':
      return h('span', { class: 'badge sec-both', 'data-kind': 'both', title: 'securitySchemes: noauth and oauth2' }, icon('unlock'), ` public or OAuth${scopes}`);
    default:
      return h('span', { class: 'badge sec-default', 'data-kind': 'default', title: 'no securitySchemes: the server decides' }, icon('server'), s.requiresAuth ? ' server default · sign-in' : ' server default');
  }
}

/** Whether the current token covers the tool: covered / missing X / sign-in needed. */
function coverageBadge(s: SecurityView, signedIn: boolean): HTMLElement | null {
  if (!s.requiresAuth) return s.kind === 'both' && signedIn && s.covered && s.scopesNeeded.length && s.missing.length === 0 ? h('span', { class: 'badge level-pass', 'data-level': 'pass' }, icon('pass'), ' covered') : null;
  if (s.covered) return h('span', { class: 'badge level-pass', 'data-level': 'pass' }, icon('pass'), ' covered');
  return h('span', { class: 'badge level-warn', 'data-level': 'warn' }, icon('warning'), s.missing.length ? ` missing ${clip(s.missing.join(' '), 60)}` : ' sign-in needed');
}
