/**
 * The Resources panel: the server's resources and resource templates; the selected resource read and
 * shown by MIME type (model.ts), subscribe/unsubscribe with live updates (each update reads the
 * resource again), a template's variables as a form with completion, and Save for binaries (a save
 * dialog on the host). A read the server refuses for want of a token offers "Sign in and read".
 */
import { isAuthProblem } from '../../src/shared/codes';
import type { ServerSummary } from '../../src/shared/protocol';
import type { ResourceReadView, ResourcesState } from '../../src/shared/resources';
import { serverBar } from '../common';
import { h, icon, media, mount } from '../dom';
import { clockTime } from '../format';
import { RpcError, type Rpc } from '../rpc';
import { argForm } from './argForm';
import { contentModel, expandTemplate, templateVariables, type ContentModel } from './model';

export function startResourcesPanel(rpc: Rpc, app: HTMLElement): void {
  let st: ResourcesState<ServerSummary> | undefined;
  let selected: string | undefined = rpc.getState().tool;
  let read: ResourceReadView | undefined;
  let error: RpcError | undefined;
  let busy = false;
  let updatedAt: number | undefined;
  /** Template variable values, per template. */
  const values = new Map<string, Record<string, string>>();

  const bar = h('div');
  const list = h('nav', { class: 'res-list', 'aria-label': 'Resources' });
  const detail = h('section', { class: 'res-detail', 'aria-live': 'polite' });
  mount(app, bar, h('div', { class: 'res-layout' }, list, detail));

  const isTemplate = (key: string | undefined) => !!key && !!st?.templates.some((t) => t.uriTemplate === key);

  function select(key: string): void {
    if (key === selected) return;
    selected = key;
    read = undefined;
    error = undefined;
    updatedAt = undefined;
    if (st) rpc.setState({ kind: 'resources', serverId: st.server.id, tool: key });
    rpc.command('tools/select', { tool: key });
    render();
    if (!isTemplate(key)) void doRead(key, false);
  }

  async function doRead(uri: string, signIn: boolean): Promise<void> {
    busy = true;
    error = undefined;
    renderDetail();
    try {
      read = await rpc.request('resource/read', { uri, ...(signIn ? { signIn } : {}) });
    } catch (e) {
      error = e instanceof RpcError ? e : new RpcError({ code: 'internal', message: String(e) });
      read = undefined;
    }
    busy = false;
    renderDetail();
  }

  async function setSubscribed(uri: string, on: boolean): Promise<void> {
    try {
      await rpc.request('resource/subscribe', { uri, on });
      error = undefined;
    } catch (e) {
      error = e instanceof RpcError ? e : undefined;
    }
    rpc.command('reload', {});
  }

  /** The item the host last named (the tree's click): a new one is selected here. */
  let hostSelected: string | undefined;
  rpc.on('state/resources', (s) => {
    const first = !st;
    st = s;
    const named = s.selected !== hostSelected && s.selected ? s.selected : undefined;
    hostSelected = s.selected;
    if (named && named !== selected) {
      selected = undefined;
      select(named);
      return;
    }
    // every request's reply is followed by a push: the detail (a form being typed in, its
    // suggestions) is rebuilt only when what it shows changed
    render(detailKey() !== lastDetailKey);
    if (first && selected && !isTemplate(selected)) void doRead(selected, false);
  });

  let lastDetailKey = '';
  function detailKey(): string {
    if (!st) return '';
    return JSON.stringify([selected, st.templates.find((t) => t.uriTemplate === selected), st.resources.find((r) => r.uri === selected), st.subscribed, st.subscriptions, st.completions]);
  }
  rpc.on('resource/updated', (u) => {
    if (u.uri !== currentUri()) return;
    updatedAt = u.at;
    void doRead(u.uri, false);
  });

  function currentUri(): string | undefined {
    if (!selected) return undefined;
    if (!isTemplate(selected)) return selected;
    return read?.uri;
  }

  function render(detailToo = true): void {
    if (!st) return;
    mount(bar, serverBar(st.server));
    const item = (key: string, label: string, sub: string, kind: 'resource' | 'template') =>
      h(
        'button',
        { type: 'button', class: `res-item${key === selected ? ' selected' : ''}`, 'aria-current': key === selected ? 'true' : undefined, 'data-testid': `res-${kind}`, onclick: () => select(key) },
        icon(kind === 'resource' ? 'file' : 'symbol-snippet'),
        ' ',
        h('span', { class: 'res-name' }, label),
        h('span', { class: 'muted res-uri' }, sub),
      );
    mount(
      list,
      h('h2', null, 'Resources ', h('span', { class: 'muted' }, `${st.resources.length}${st.more ? '+' : ''}`)),
      st.resources.length ? st.resources.map((r) => item(r.uri, r.title ?? r.name, r.uri, 'resource')) : h('p', { class: 'muted' }, 'None listed.'),
      st.more
        ? h('button', { type: 'button', class: 'link-button', 'data-testid': 'load-more', onclick: () => void rpc.request('list/more', { what: 'resources' }).then(() => rpc.command('reload', {})) }, icon('ellipsis'), ' Load more')
        : null,
      h('h2', null, 'Resource Templates ', h('span', { class: 'muted' }, String(st.templates.length))),
      st.templates.length ? st.templates.map((t) => item(t.uriTemplate, t.title ?? t.name, t.uriTemplate, 'template')) : h('p', { class: 'muted' }, 'None listed.'),
    );
    if (detailToo) renderDetail();
  }

  function renderDetail(): void {
    if (!st) return;
    lastDetailKey = detailKey();
    if (!selected) return mount(detail, h('p', { class: 'muted' }, 'Pick a resource or a template.'));
    const template = st.templates.find((t) => t.uriTemplate === selected);
    const resource = st.resources.find((r) => r.uri === selected);
    const head = template
      ? h('header', null, h('h2', null, template.title ?? template.name), h('div', { class: 'muted mono' }, template.uriTemplate, template.mimeType ? ` · ${template.mimeType}` : ''), template.description ? h('p', null, template.description) : null)
      : h('header', null, h('h2', null, resource?.title ?? resource?.name ?? selected), h('div', { class: 'muted mono' }, selected, resource?.mimeType ? ` · ${resource.mimeType}` : ''), resource?.description ? h('p', null, resource.description) : null);
    let form: HTMLElement | null = null;
    let target = selected;
    if (template) {
      const vals = values.get(template.uriTemplate) ?? {};
      values.set(template.uriTemplate, vals);
      const uriLine = h('div', { class: 'mono', 'data-testid': 'expanded-uri' }, expandTemplate(template.uriTemplate, vals));
      target = expandTemplate(template.uriTemplate, vals);
      form = h(
        'div',
        { class: 'template-form' },
        argForm({
          fields: templateVariables(template.uriTemplate).map((name) => ({ name, required: true })),
          values: vals,
          idPrefix: 'var',
          complete: st.completions.supported ? (name, value, context) => rpc.request('completion/complete', { ref: 'resource', name: template.uriTemplate, argument: name, value, context }) : undefined,
          onChange: () => {
            target = expandTemplate(template.uriTemplate, vals);
            uriLine.textContent = target;
          },
          onSubmit: () => void doRead(expandTemplate(template.uriTemplate, vals), false),
        }),
        st.completions.supported ? null : h('p', { class: 'muted' }, `No completion: ${st.completions.message ?? 'not offered'}`),
        h('div', null, h('span', { class: 'muted' }, 'URI: '), uriLine),
      );
    }
    const uri = template ? read?.uri : selected;
    const subscribed = !!uri && st.subscribed.includes(uri);
    const actions = h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', 'data-testid': 'read', disabled: busy, onclick: () => void doRead(template ? expandTemplate(template.uriTemplate, values.get(template.uriTemplate) ?? {}) : selected!, false) }, icon('refresh'), template ? ' Read' : ' Read again'),
      st.subscriptions.supported
        ? h('button', { type: 'button', class: 'secondary', 'data-testid': 'subscribe', disabled: !uri || busy, 'aria-pressed': subscribed ? 'true' : 'false', onclick: () => uri && void setSubscribed(uri, !subscribed) }, icon(subscribed ? 'bell-slash' : 'bell'), subscribed ? ' Unsubscribe' : ' Subscribe')
        : h('span', { class: 'muted', 'data-testid': 'no-subscribe' }, `Subscriptions: ${st.subscriptions.message ?? 'not offered'}`),
      subscribed ? h('span', { class: 'muted', 'data-testid': 'subscribed' }, ` subscribed${st.subscriptions.via ? ` (${st.subscriptions.via})` : ''}`) : null,
      updatedAt ? h('span', { class: 'badge level-info', 'data-testid': 'updated' }, icon('bell-dot'), ` updated ${clockTime(updatedAt)}`) : null,
    );
    void target;
    mount(detail, head, form, actions, busy ? h('p', { class: 'muted' }, icon('loading~spin'), ' Reading…') : null, error ? errorBlock(error) : null, read ? readBlock(read) : null);
  }

  function errorBlock(e: RpcError): HTMLElement {
    const auth = isAuthProblem(e.code);
    const uri = currentUri() ?? (isTemplate(selected) ? expandTemplate(selected!, values.get(selected!) ?? {}) : selected);
    return h(
      'div',
      { class: `call-error${auth ? ' auth' : ''}`, role: 'alert', 'data-testid': 'read-error' },
      h('p', null, icon(auth ? 'lock' : 'error'), ' ', h('strong', null, auth ? (e.code === 'insufficient_scope' ? 'More scope needed' : 'Sign-in needed') : 'The read failed'), h('span', { class: 'muted mono' }, ` (${e.code})`)),
      h('p', null, e.message),
      auth && uri ? h('button', { type: 'button', 'data-testid': 'sign-in-read', onclick: () => void doRead(uri, true) }, icon('key'), ' Sign in and read') : null,
    );
  }

  function readBlock(r: ResourceReadView): HTMLElement {
    return h(
      'div',
      { class: 'read-result', 'data-testid': 'read-result' },
      h('div', { class: 'muted' }, `Read ${clockTime(r.at)} · ${r.contents.length} item${r.contents.length === 1 ? '' : 's'}`),
      r.contents.map((c) => contentBlock(contentModel(c))),
      r.droppedItems ? h('p', { class: 'muted' }, `… ${r.droppedItems} more items not shown`) : null,
    );
  }

  function contentBlock(m: ContentModel): HTMLElement {
    const label = h('div', { class: 'part-label muted' }, h('span', { class: 'plain-url' }, m.uri), ' · ', h('span', { 'data-testid': 'mime' }, m.mimeType));
    if (m.kind === 'text') return h('div', { class: 'part' }, label, m.notes.map((n) => h('p', { class: 'muted note' }, icon('info'), ' ', n)), h('pre', { class: `part-text syntax-${m.syntax}`, 'data-testid': 'resource-text', 'data-kind': m.syntax }, m.text));
    if (m.kind === 'image') return h('figure', { class: 'part part-image' }, label, media('img', m.src, `${m.mimeType}, ${m.size}`), h('figcaption', { class: 'muted' }, m.size));
    return h(
      'div',
      { class: 'part part-binary' },
      label,
      h('p', null, icon('file-binary'), ` Binary, ${m.size}`, m.note ? ` — ${m.note}` : ''),
      h('button', { type: 'button', class: 'secondary', 'data-testid': 'save', onclick: () => void rpc.request('resource/save', { uri: read?.uri ?? m.uri, index: m.index }).catch(() => undefined) }, icon('save'), ' Save…'),
    );
  }
}
