/**
 * One call record, rendered by content type: text, structuredContent with the
 * outputSchema check, images and audio as data: URIs (content.ts), embedded resources, resource
 * links (a link only when https, dom.ts safeLink), errors that are not tool results with their
 * step, URL and hint (fields the host sends, composed by errorText), and the JSON-RPC request and
 * response behind a disclosure. All server text is text; long text is capped.
 */
import { errorText, isAuthProblem } from '../src/shared/codes';
import type { CallRecord } from '../src/shared/protocol';
import { classifyPart, formatBytes, safeJson, type PartView } from './content';
import { capText, h, icon, media, safeLink } from './dom';

export interface RecordActions {
  /** Sign in for the scopes the server asked for, then call again with the same arguments. */
  signInAndCall?: () => void;
  /** Put this record's arguments into the form. */
  useArguments?: () => void;
  busy: boolean;
  /** Scopes the current token holds (to say which are missing). */
  held: string[];
}

const MAX_JSON = 200_000;

/**
 * A call's time: its own, and the time spent signing in apart when it signed in first —
 * "20 ms (+ sign-in 10.7 s)", not "10727 ms" for a 20 ms call.
 */
export function callDuration(rec: Pick<CallRecord, 'durationMs' | 'signInMs'>): string {
  const own = `${rec.durationMs} ms`;
  return rec.signInMs ? `${own} (+ sign-in ${span(rec.signInMs)})` : own;
}

/** 850 ms, 10.7 s, 2 min 5 s. */
function span(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

export function renderRecord(rec: CallRecord, act: RecordActions): HTMLElement {
  const when = new Date(rec.at);
  const status = !rec.ok ? 'failed' : rec.isError ? 'tool error' : 'ok';
  const level = !rec.ok || rec.isError ? 'fail' : 'pass';
  const head = h(
    'div',
    { class: 'result-head' },
    h('span', { class: `badge level-${level}`, 'data-level': level }, icon(level === 'pass' ? 'pass' : 'error'), ` ${status}`),
    ' ',
    h('strong', { class: 'mono' }, rec.tool),
    h(
      'span',
      { class: 'muted' },
      ` · ${when.toLocaleTimeString()} · ${callDuration(rec)} · `,
      rec.authenticated ? icon('key') : icon('globe'),
      rec.authenticated ? ' sent with the token' : ' anonymous',
    ),
    act.useArguments
      ? h('button', { type: 'button', class: 'link-button', title: 'Put these arguments into the form', onclick: act.useArguments }, icon('edit'), ' Use these arguments')
      : null,
  );

  const body: Array<HTMLElement | null> = [];
  if (rec.error) body.push(renderError(rec, act));
  if (rec.ok && rec.isError) {
    body.push(h('p', { class: 'is-error', role: 'alert' }, icon('error'), ' The tool reported an error (isError: true).'));
  }
  if (rec.content?.length) {
    body.push(h('div', { class: 'result-content' }, rec.content.slice(0, 200).map((p) => renderPart(classifyPart(p)))));
    if (rec.content.length > 200) body.push(h('p', { class: 'muted' }, `… ${rec.content.length - 200} more content parts not shown (see the JSON-RPC response)`));
  } else if (rec.ok) body.push(h('p', { class: 'muted' }, 'No content.'));
  if (rec.structuredContent !== undefined) {
    const check = rec.outputCheck;
    body.push(
      h(
        'details',
        { class: 'structured', open: true },
        h(
          'summary',
          null,
          'structuredContent ',
          check
            ? check.valid
              ? h('span', { class: 'badge level-pass', 'data-level': 'pass' }, icon('pass'), ' matches outputSchema')
              : h('span', { class: 'badge level-fail', 'data-level': 'fail' }, icon('error'), ' does not match outputSchema')
            : h('span', { class: 'muted' }, '(no outputSchema)'),
        ),
        check && !check.valid ? h('p', { class: 'error' }, check.errors.join('; ')) : null,
        h('pre', { class: 'json' }, capText(safeJson(rec.structuredContent), MAX_JSON)),
      ),
    );
  } else if (rec.outputCheck && !rec.outputCheck.valid) {
    body.push(h('p', { class: 'error' }, icon('error'), ' ', rec.outputCheck.errors.join('; ')));
  }
  body.push(
    h('details', { class: 'rpc' }, h('summary', null, 'JSON-RPC request'), h('pre', { class: 'json' }, capText(safeJson(rec.rpc.request), MAX_JSON))),
    h('details', { class: 'rpc' }, h('summary', null, 'JSON-RPC response'), h('pre', { class: 'json' }, capText(safeJson(rec.rpc.response), MAX_JSON))),
  );
  return h('article', { class: `record${level === 'fail' ? ' record-fail' : ''}`, 'aria-label': `Result of ${rec.tool}`, 'data-testid': 'result', tabindex: -1 }, head, body);
}

function renderError(rec: CallRecord, act: RecordActions): HTMLElement {
  const e = rec.error!;
  // The one list of authorization problems (src/shared/codes.ts), which the editor's "Sign In Again"
  // and the history's "sign-in needed" follow too: the panel offers "Sign in and call" for them.
  const auth = isAuthProblem(e.code);
  const scopes = e.scopes ?? [];
  const missing = scopes.filter((s) => !act.held.includes(s));
  const offer = auth && act.signInAndCall;
  return h(
    'div',
    { class: `call-error${auth ? ' auth' : ''}`, role: 'alert' },
    h(
      'p',
      null,
      icon(auth ? 'lock' : 'error'),
      ' ',
      h('strong', null, auth ? (e.code === 'insufficient_scope' ? 'More scope needed' : 'Sign-in needed') : 'The call failed'),
      h('span', { class: 'muted mono' }, ` (${e.code})`),
    ),
    h('p', null, errorText(e)),
    auth && scopes.length ? h('p', null, 'The server asks for ', scopeList(scopes), missing.length && missing.length < scopes.length ? [' — missing ', scopeList(missing)] : null, '.') : null,
    offer ? h('button', { type: 'button', class: 'primary', disabled: act.busy, onclick: act.signInAndCall }, icon('sign-in'), ' Sign in and call') : null,
  );
}

export function scopeList(scopes: string[]): HTMLElement {
  return h('span', { class: 'scopes' }, scopes.map((s, i) => [i ? ' ' : '', h('code', null, s)]));
}

export function renderPart(p: PartView): HTMLElement {
  switch (p.kind) {
    case 'text':
      return h('pre', { class: 'part part-text' }, capText(p.text));
    case 'image':
    case 'audio': {
      const label = `${p.kind} ${p.mimeType}, ${formatBytes(p.bytes)}`;
      return h(
        'figure',
        { class: `part part-${p.kind}` },
        p.src ? media(p.kind === 'image' ? 'img' : 'audio', p.src, label) : h('p', { class: 'muted' }, icon('circle-slash'), ` ${p.refused ?? 'not shown'}`),
        h('figcaption', { class: 'muted' }, label),
      );
    }
    case 'resource-text':
      return h(
        'div',
        { class: 'part part-resource' },
        h('div', { class: 'part-label muted' }, icon('file'), ' embedded resource ', h('span', { class: 'plain-url' }, p.uri), p.mimeType ? ` · ${p.mimeType}` : ''),
        h('pre', null, capText(p.text)),
      );
    case 'resource-blob':
      return h(
        'div',
        { class: 'part part-resource' },
        h('div', { class: 'part-label muted' }, icon('file-binary'), ' embedded resource ', h('span', { class: 'plain-url' }, p.uri), ` · ${p.mimeType ?? 'no type'} · ${formatBytes(p.bytes)} (binary, not shown)`),
      );
    case 'resource-link':
      return h(
        'div',
        { class: 'part part-link' },
        h('div', { class: 'part-label muted' }, icon('link'), ' resource link', p.mimeType ? ` · ${p.mimeType}` : ''),
        h('div', null, p.title || p.name ? h('strong', null, capText(p.title ?? p.name ?? '', 500)) : null, p.title || p.name ? ' ' : null, safeLink(capText(p.uri, 2000))),
        p.description ? h('div', { class: 'muted' }, capText(p.description, 2000)) : null,
      );
    case 'unknown':
      return h('div', { class: 'part part-unknown' }, h('div', { class: 'part-label muted' }, `content of type ${JSON.stringify(p.type.slice(0, 60))}`), h('pre', null, capText(p.json, MAX_JSON)));
  }
}
