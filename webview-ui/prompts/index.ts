/**
 * The Prompts panel: the server's prompts; the selected one's arguments as a form with completion;
 * Get; the messages by role and content type (resources/model.ts promptMessages, drawn by result.ts
 * renderPart: text as text, images only as data: URIs of allowed types). A Get the server refuses for
 * want of a token offers "Sign in and get".
 */
import { isAuthProblem } from '../../src/shared/codes';
import type { ServerSummary } from '../../src/shared/protocol';
import type { PromptGetView, PromptsState } from '../../src/shared/resources';
import { serverBar } from '../common';
import { h, icon, mount } from '../dom';
import { renderPart } from '../result';
import { RpcError, type Rpc } from '../rpc';
import { argForm } from '../resources/argForm';
import { missingArguments, promptMessages } from '../resources/model';

export function startPromptsPanel(rpc: Rpc, app: HTMLElement): void {
  let st: PromptsState<ServerSummary> | undefined;
  let selected: string | undefined = rpc.getState().tool;
  let got: PromptGetView | undefined;
  let error: RpcError | undefined;
  let busy = false;
  const values = new Map<string, Record<string, string>>();

  const bar = h('div');
  const list = h('nav', { class: 'res-list', 'aria-label': 'Prompts' });
  const detail = h('section', { class: 'res-detail', 'aria-live': 'polite' });
  mount(app, bar, h('div', { class: 'res-layout' }, list, detail));

  function select(name: string): void {
    selected = name;
    got = undefined;
    error = undefined;
    if (st) rpc.setState({ kind: 'prompts', serverId: st.server.id, tool: name });
    rpc.command('tools/select', { tool: name });
    render();
  }

  async function get(signIn: boolean): Promise<void> {
    if (!selected) return;
    busy = true;
    error = undefined;
    render();
    try {
      got = await rpc.request('prompt/get', { name: selected, args: { ...(values.get(selected) ?? {}) }, ...(signIn ? { signIn } : {}) });
    } catch (e) {
      error = e instanceof RpcError ? e : new RpcError({ code: 'internal', message: String(e) });
      got = undefined;
    }
    busy = false;
    render();
  }

  /** The prompt the host last named (the tree's click): a new one is selected here. */
  let hostSelected: string | undefined;
  rpc.on('state/prompts', (s) => {
    st = s;
    const named = s.selected !== hostSelected && s.selected ? s.selected : undefined;
    hostSelected = s.selected;
    if (named && named !== selected) return select(named);
    // every request's reply is followed by a push: the form (and its suggestions) is rebuilt only
    // when what it shows changed
    const key = JSON.stringify([selected, st.prompts.find((p) => p.name === selected), st.completions]);
    render(key !== lastKey);
  });
  let lastKey = '';

  function render(detailToo = true): void {
    if (!st) return;
    mount(bar, serverBar(st.server));
    mount(
      list,
      h('h2', null, 'Prompts ', h('span', { class: 'muted' }, `${st.prompts.length}${st.more ? '+' : ''}`)),
      st.prompts.length
        ? st.prompts.map((p) =>
            h(
              'button',
              { type: 'button', class: `res-item${p.name === selected ? ' selected' : ''}`, 'aria-current': p.name === selected ? 'true' : undefined, 'data-testid': 'prompt-item', onclick: () => select(p.name) },
              icon('comment'),
              ' ',
              h('span', { class: 'res-name' }, p.name),
              p.title ? h('span', { class: 'muted res-uri' }, p.title) : null,
            ),
          )
        : h('p', { class: 'muted' }, 'None listed.'),
      st.more ? h('button', { type: 'button', class: 'link-button', onclick: () => void rpc.request('list/more', { what: 'prompts' }).then(() => rpc.command('reload', {})) }, icon('ellipsis'), ' Load more') : null,
    );
    if (!detailToo) return;
    lastKey = JSON.stringify([selected, st.prompts.find((x) => x.name === selected), st.completions]);
    const p = st.prompts.find((x) => x.name === selected);
    if (!p) return mount(detail, h('p', { class: 'muted' }, selected ? `No prompt named ${selected} in the list.` : 'Pick a prompt.'));
    const vals = values.get(p.name) ?? {};
    values.set(p.name, vals);
    const missing = missingArguments(p.arguments, vals);
    const getButton = h('button', { type: 'button', 'data-testid': 'get-prompt', disabled: busy, onclick: () => void get(false) }, icon('play'), ' Get');
    mount(
      detail,
      h('header', null, h('h2', null, p.title ?? p.name), h('div', { class: 'muted mono' }, p.name), p.description ? h('p', null, p.description) : null),
      p.arguments.length
        ? argForm({
            fields: p.arguments,
            values: vals,
            idPrefix: 'arg',
            complete: st.completions.supported ? (name, value, context) => rpc.request('completion/complete', { ref: 'prompt', name: p.name, argument: name, value, context }) : undefined,
            onChange: () => undefined,
            onSubmit: () => void get(false),
          })
        : h('p', { class: 'muted' }, 'No arguments.'),
      st.completions.supported || !p.arguments.length ? null : h('p', { class: 'muted' }, `No completion: ${st.completions.message ?? 'not offered'}`),
      h('div', { class: 'actions' }, getButton, missing.length ? h('span', { class: 'muted' }, ` required: ${missing.join(', ')}`) : null),
      busy ? h('p', { class: 'muted' }, icon('loading~spin'), ' Getting…') : null,
      error ? errorBlock(error) : null,
      got ? messagesBlock(got) : null,
    );
  }

  function errorBlock(e: RpcError): HTMLElement {
    const auth = isAuthProblem(e.code);
    return h(
      'div',
      { class: `call-error${auth ? ' auth' : ''}`, role: 'alert', 'data-testid': 'prompt-error' },
      h('p', null, icon(auth ? 'lock' : 'error'), ' ', h('strong', null, auth ? 'Sign-in needed' : 'Get failed'), h('span', { class: 'muted mono' }, ` (${e.code})`)),
      h('p', null, e.message),
      auth ? h('button', { type: 'button', 'data-testid': 'sign-in-get', onclick: () => void get(true) }, icon('key'), ' Sign in and get') : null,
    );
  }

  function messagesBlock(v: PromptGetView): HTMLElement {
    return h(
      'div',
      { class: 'prompt-messages', 'data-testid': 'prompt-messages' },
      v.description ? h('p', { class: 'muted' }, v.description) : null,
      promptMessages(v).map((m) => h('div', { class: `message role-${m.role === 'assistant' ? 'assistant' : m.role === 'user' ? 'user' : 'other'}`, 'data-testid': 'prompt-message' }, h('div', { class: 'message-role' }, m.role, h('span', { class: 'muted' }, ` · ${m.part.kind}`)), renderPart(m.part))),
      v.droppedMessages ? h('p', { class: 'muted' }, `… ${v.droppedMessages} more messages not shown`) : null,
    );
  }
}
