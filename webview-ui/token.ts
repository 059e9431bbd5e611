import { errorText, type ErrorView } from '../src/shared/codes';
import type { Level, RequestMethod, TokenCheck, TokenClaimRow, TokenState, TokenToolRow } from '../src/shared/protocol';
import { levelBadge, serverBar } from './common';
import { h, icon, mount, relativeTime } from './dom';
import { countdown, levelIcon, localDate } from './format';
import { RpcError, type Rpc } from './rpc';

/** What the registered claims mean (RFC 7519 §4.1, RFC 9068 §2.2, RFC 8693 §4). */
const CLAIM_HINTS: Record<string, string> = {
  iss: 'issuer',
  sub: 'subject (the user)',
  aud: 'audience (who may accept it)',
  exp: 'expires',
  nbf: 'not valid before',
  iat: 'issued at',
  jti: 'token id',
  client_id: 'client it was issued to',
  scope: 'granted scopes',
  scp: 'granted scopes',
  auth_time: 'user authenticated at',
  acr: 'authentication context',
  amr: 'authentication methods',
  azp: 'authorized party',
  sid: 'session id',
  alg: 'signature algorithm',
  kid: 'key id',
  typ: 'token type',
  active: 'introspection: token is active',
  token_type: 'token type',
  username: 'user name',
};

const SOURCE_TEXT: Record<string, string> = {
  jwt: 'an RFC 9068 access token: the claims below are what it says about itself',
  introspection: 'opaque token: the claims below are the authorization server’s introspection answer (RFC 7662)',
  'token-response': 'opaque token: only the authorization server can read it; what is known comes from the token response',
};

/**
 * The token panel: what the access token says, whether it checks out, which tools its
 * scopes cover, and the actions. Server-provided strings (claims, tool names, scopes, messages) are
 * text nodes only; the raw token never reaches the webview (Copy asks the host to write it to the
 * clipboard).
 */
export function startTokenPanel(rpc: Rpc, app: HTMLElement): void {
  let st: TokenState | undefined;
  let busy: RequestMethod | undefined;
  let confirming = false;
  let error: ErrorView | undefined;
  let ticker: ReturnType<typeof setInterval> | undefined;
  /** Elements whose text depends on the clock, refreshed every second. */
  let clocks: Array<() => void> = [];

  function act(method: 'auth/refresh' | 'auth/signOut' | 'token/copy'): void {
    if (busy) return;
    busy = method;
    error = undefined;
    confirming = false;
    render();
    rpc.request(method, {}).then(
      () => {
        busy = undefined;
        render();
      },
      (err: unknown) => {
        busy = undefined;
        error = err instanceof RpcError ? err.view() : { code: 'internal', message: String((err as Error)?.message ?? err) };
        render();
      },
    );
  }

  function startClock(): void {
    if (ticker) clearInterval(ticker);
    let askedAtZero = false;
    ticker = setInterval(() => {
      for (const c of clocks) c();
      // When the token runs out, ask the host again: the lifetime check (and the tree) change then.
      if (st?.expiresAt !== undefined && !askedAtZero && st.expiresAt * 1000 <= Date.now()) {
        askedAtZero = true;
        rpc.command('reload', {});
      }
    }, 1000);
  }

  /** A text node kept in step with the clock. */
  function live(text: () => string, props: Record<string, string> = {}): HTMLElement {
    const el = h('span', props, text());
    clocks.push(() => {
      const t = text();
      if (el.textContent !== t) el.textContent = t;
    });
    return el;
  }

  function spinner(on: boolean, iconName: string): HTMLElement {
    const el = icon(on ? 'loading' : iconName);
    if (on) el.classList.add('codicon-modifier-spin');
    return el;
  }

  function button(label: string, iconName: string, method: 'auth/refresh' | 'auth/signOut' | 'token/copy' | undefined, opts: { secondary?: boolean; disabled?: boolean; title?: string; onclick?: () => void; testid?: string } = {}): HTMLButtonElement {
    return h(
      'button',
      {
        type: 'button',
        class: opts.secondary ? 'secondary' : undefined,
        disabled: !!busy || opts.disabled,
        title: opts.title,
        'data-testid': opts.testid,
        onclick: opts.onclick ?? (() => method && act(method)),
      },
      spinner(busy !== undefined && busy === method, iconName),
      ` ${label}`,
    );
  }

  function actions(s: TokenState): HTMLElement {
    const bar = h(
      'div',
      { class: 'tf-toolbar', role: 'toolbar', 'aria-label': 'Token actions' },
      button('Refresh', 'sync', 'auth/refresh', {
        disabled: !s.hasRefreshToken,
        title: s.hasRefreshToken ? 'Use the refresh token to get a new access token (RFC 6749 §6)' : 'There is no refresh token: sign in again instead',
        testid: 'token-refresh',
      }),
      button('Copy access token', 'copy', 'token/copy', { secondary: true, title: 'Copy the raw access token to the clipboard. Anyone who has it can act as you until it expires.', testid: 'token-copy' }),
      button('Sign out…', 'sign-out', undefined, {
        secondary: true,
        title: 'Revoke the tokens (when the server offers it) and delete every stored secret of this server',
        testid: 'token-signout',
        onclick: () => {
          confirming = true;
          render();
          (app.querySelector('[data-testid="signout-cancel"]') as HTMLButtonElement | null)?.focus();
        },
      }),
    );
    const out = h('div', null, bar);
    if (confirming) {
      out.appendChild(
        h(
          'div',
          { class: 'tf-confirm', role: 'alertdialog', 'aria-labelledby': 'tf-confirm-text' },
          h('p', { id: 'tf-confirm-text' }, icon('warning'), ` Sign out of ${s.server.name}? The access and refresh tokens are revoked where the server offers revocation, and every stored secret of this server (tokens and client registration) is deleted from this editor.`),
          h(
            'div',
            { class: 'tf-toolbar' },
            h('button', { type: 'button', 'data-testid': 'signout-confirm', onclick: () => act('auth/signOut') }, icon('sign-out'), ' Sign out'),
            h('button', { type: 'button', class: 'secondary', 'data-testid': 'signout-cancel', onclick: () => ((confirming = false), render()) }, 'Cancel'),
          ),
        ),
      );
    }
    if (busy) out.appendChild(h('p', { class: 'muted', role: 'status' }, busy === 'auth/refresh' ? 'Refreshing…' : busy === 'auth/signOut' ? 'Signing out…' : 'Copying…'));
    if (error) out.appendChild(h('div', { class: 'tf-error', role: 'alert', 'data-testid': 'token-error' }, icon('error'), ' ', errorText(error)));
    return out;
  }

  function facts(s: TokenState): HTMLElement {
    const row = (label: string, ...value: Array<Node | string | null>) => h('div', { class: 'tf-fact' }, h('dt', null, label), h('dd', null, value));
    const exp = s.expiresAt;
    return h(
      'dl',
      { class: 'tf-facts' },
      row(
        'Expires',
        exp === undefined
          ? h('span', { class: 'muted' }, 'unknown: neither the token nor the token response says')
          : h(
              'span',
              null,
              live(() => (exp * 1000 > Date.now() ? countdown(exp) : `expired ${countdown(exp).replace(/ ago$/, '')} ago`), { class: 'tf-countdown', 'data-testid': 'token-countdown', role: 'timer', 'aria-live': 'off' }),
              h('span', { class: 'muted' }, ` · ${localDate(exp)}`),
            ),
      ),
      row('Format', s.format === 'jwt' ? 'JWT' : 'opaque', h('span', { class: 'muted' }, ` · ${SOURCE_TEXT[s.source ?? ''] ?? ''}`)),
      s.tokenType || s.grant ? row('Obtained', `${s.tokenType ?? 'token'}${s.grant ? ` via ${s.grant.replace(/_/g, ' ')}` : ''}`) : null,
      s.issuer ? row('Issuer', s.issuer) : null,
      s.subject ? row('Subject', s.subject) : null,
      row('Audience', s.audience?.length ? s.audience.join(', ') : h('span', { class: 'muted' }, 'not stated'), s.expectedAudience ? h('span', { class: 'muted' }, ` · resource ${s.expectedAudience}`) : null),
      s.clientId ? row('Client', s.clientId, s.registration ? h('span', { class: 'muted' }, ` · ${s.registration}`) : null) : null,
      row(
        'Refresh token',
        s.hasRefreshToken ? h('span', { 'data-testid': 'token-has-refresh' }, icon('key'), ' stored in SecretStorage (its value is never shown)') : h('span', { class: 'muted', 'data-testid': 'token-has-refresh' }, 'none: sign in again when the access token expires'),
      ),
    );
  }

  function verification(checks: TokenCheck[]): HTMLElement {
    return h(
      'section',
      { 'aria-labelledby': 'tf-verify' },
      h('h2', { id: 'tf-verify' }, icon('shield'), ' Verification'),
      checks.length === 0
        ? h('p', { class: 'muted' }, 'Nothing was checked.')
        : h(
            'table',
            { class: 'tf-checks', 'data-testid': 'token-checks' },
            h('thead', null, h('tr', null, h('th', null, 'Check'), h('th', null, 'Result'), h('th', null, 'Details'))),
            h(
              'tbody',
              null,
              checks.map((c) => h('tr', { 'data-level': c.level, 'data-kind': c.code }, h('td', null, c.check), h('td', null, levelBadge(c.level)), h('td', null, c.message))),
            ),
          ),
    );
  }

  function scopes(s: TokenState): HTMLElement {
    const chip = (sc: string) => h('span', { class: 'tf-chip' }, sc);
    const status = (t: TokenToolRow): [Level, string] => {
      if (!t.requiresAuth && t.needed.length === 0) return ['pass', 'public'];
      if (!s.signedIn) return ['warn', t.needed.length ? `needs sign-in with ${t.needed.join(' ')}` : 'needs sign-in'];
      if (t.covered) return ['pass', 'covered'];
      return ['warn', `missing ${t.missing.join(' ') || 'scope'}: calling it asks to step up`];
    };
    return h(
      'section',
      { 'aria-labelledby': 'tf-scopes' },
      h('h2', { id: 'tf-scopes' }, icon('key'), ' Scopes and tools'),
      s.signedIn ? h('p', null, 'Granted: ', s.scopes.length ? h('span', { 'data-testid': 'token-scopes' }, s.scopes.map(chip)) : h('span', { class: 'muted' }, 'none stated')) : null,
      !s.toolsKnown
        ? h('p', { class: 'muted' }, 'Connect to the server to compare the scopes with what each tool needs.')
        : s.tools.length === 0
          ? h('p', { class: 'muted' }, 'The server lists no tools.')
          : h(
              'table',
              { class: 'tf-tools', 'data-testid': 'token-tools' },
              h('thead', null, h('tr', null, h('th', null, 'Tool'), h('th', null, 'Needs'), h('th', null, 'With this token'))),
              h(
                'tbody',
                null,
                s.tools.map((t) => {
                  const [level, text] = status(t);
                  return h(
                    'tr',
                    { 'data-tool': t.name, 'data-level': level },
                    h('td', null, h('code', null, t.name)),
                    h('td', null, t.needed.length ? t.needed.map(chip) : h('span', { class: 'muted' }, t.requiresAuth ? 'a token' : '—')),
                    h('td', null, levelIcon(level), ' ', text),
                  );
                }),
              ),
            ),
    );
  }

  function claimValue(r: TokenClaimRow): Node {
    let v: unknown;
    try {
      v = JSON.parse(r.value);
    } catch {
      v = r.value;
    }
    if (typeof v === 'string') return h('span', { class: 'tf-claim-text' }, v);
    if (v !== null && typeof v === 'object') return h('pre', { class: 'tf-claim-json' }, r.value);
    return h('code', null, r.value);
  }

  function claimsTable(id: string, title: string, rows: TokenClaimRow[] | undefined, testid: string): HTMLElement | null {
    if (!rows?.length) return null;
    return h(
      'section',
      { 'aria-labelledby': id },
      h('h2', { id }, icon('symbol-key'), ` ${title}`),
      h(
        'table',
        { class: 'tf-claims', 'data-testid': testid },
        h('thead', null, h('tr', null, h('th', null, 'Name'), h('th', null, 'Value'), h('th', null, 'When'))),
        h(
          'tbody',
          null,
          rows.map((r) =>
            h(
              'tr',
              { 'data-kind': r.name },
              h('td', null, h('code', null, r.name), Object.hasOwn(CLAIM_HINTS, r.name) ? h('div', { class: 'muted' }, CLAIM_HINTS[r.name]) : null),
              h('td', null, claimValue(r)),
              h('td', null, r.time !== undefined ? [localDate(r.time), h('div', { class: 'muted' }, live(() => relativeTime(r.time!)))] : null),
            ),
          ),
        ),
      ),
    );
  }

  function notSignedIn(s: TokenState): HTMLElement {
    return h(
      'section',
      { class: 'tf-empty', 'data-testid': 'token-signed-out' },
      h('h2', null, icon('lock'), ' Not signed in'),
      h(
        'p',
        null,
        `There is no access token for ${s.server.name} in this editor. The inspector signs in when the server asks for a token: connect to the server, or call a tool that needs one. Nothing is stored until then.`,
      ),
      s.server.state !== 'connected' ? h('p', { class: 'muted' }, 'Use “MCP Inspector: Connect to Server” or the Connect button in the Servers view.') : null,
    );
  }

  function render(): void {
    const s = st;
    if (!s) return;
    clocks = [];
    if (!s.signedIn) {
      mount(app, serverBar(s.server), error ? actionsOnlyError() : null, notSignedIn(s), s.toolsKnown && s.tools.length ? scopes(s) : null);
    } else {
      mount(
        app,
        serverBar(s.server),
        actions(s),
        h('section', { 'aria-label': 'Summary' }, facts(s)),
        verification(s.findings),
        scopes(s),
        claimsTable('tf-claims', s.source === 'introspection' ? 'Introspection response' : 'Claims', s.claims, 'token-claims'),
        claimsTable('tf-header', 'Header', s.header, 'token-header'),
        s.format === 'opaque' && !s.claims ? h('p', { class: 'muted', 'data-testid': 'token-opaque' }, icon('circle-slash'), ' Opaque token: it has no claims the client can read, and it was not introspected (the checks above say why).') : null,
      );
    }
    startClock();
  }

  function actionsOnlyError(): HTMLElement | null {
    return error ? h('div', { class: 'tf-error', role: 'alert', 'data-testid': 'token-error' }, icon('error'), ' ', errorText(error)) : null;
  }

  rpc.on('state/token', (next: TokenState) => {
    rpc.setState({ kind: 'token', serverId: next.server.id });
    st = next;
    if (!next.signedIn) confirming = false;
    render();
  });
}
