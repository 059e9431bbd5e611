/// <reference path="./types/oidc-provider.d.ts" />
/**
 * The authorization server's user-facing part: the login + consent page for the demo accounts
 * (`demo` / `demo`, `alice` / `alice`: DEMO_ACCOUNTS in constants.ts), and the auto-approve switch
 * (`MCP_DEMO_AUTO_APPROVE=1`) for automated runs.
 *
 * Auto-approve keeps oidc-provider's real interaction pipeline (authorization endpoint → interaction
 * → resume → redirect_uri). The `demo` user (DEMO_USER) is signed in and the requested scopes granted
 * without a page; the other accounts are reached through the page only. One obstacle: oidc-provider
 * ties an interaction to cookies (`_interaction_resume`, and `_session` once signed in), but an
 * automated client — e.g. `fetch(authorizationUrl)` following redirects — keeps no cookies. So in
 * auto-approve mode the server keeps the cookies it set on each redirect to `/interaction/<uid>` and
 * replays them on that same interaction's resume request (`/auth/<uid>`), once, when the request
 * carries none. A browser, which does send its cookies, is left untouched.
 */
import type { IncomingMessage } from 'node:http';
import type { Grant, Interaction, InteractionResults, KoaMiddleware, Provider } from 'oidc-provider';
import { DEMO_ACCOUNTS, DEMO_USER, findDemoAccount, RESOURCE_SCOPES } from './constants';

export interface InteractionOptions {
  readonly autoApprove: boolean;
  /** The resource granted when the authorization request names none (see defaultResource). */
  readonly defaultResource: string;
  readonly log: (line: string) => void;
}

const UID = /^\/interaction\/([A-Za-z0-9_-]{1,64})$/;
const MAX_FORM_BYTES = 8 * 1024;

const SCOPE_TEXT: Record<string, string> = {
  openid: 'Confirm your identity',
  offline_access: 'Stay signed in (refresh tokens)',
  'todos.read': 'Read your todos',
  'todos.write': 'Create and complete your todos',
};

// ---------------------------------------------------------------------------------------------
// Granting

function requestedScopes(interaction: Interaction): string[] {
  return [...new Set(String(interaction.params.scope ?? '').split(' ').filter(Boolean))];
}

function requestedResources(interaction: Interaction, fallback: string): string[] {
  const { resource } = interaction.params;
  if (Array.isArray(resource)) return resource.map(String);
  return typeof resource === 'string' && resource ? [resource] : [fallback];
}

/**
 * The account an approval is for: at the login prompt, the one who just signed in; at the consent
 * prompt, the session's (already signed-in) account.
 */
function approvingAccount(interaction: Interaction, signedIn: string | undefined): string | undefined {
  return interaction.prompt.name === 'login' ? signedIn : interaction.session?.accountId;
}

/**
 * The interaction result for "`accountId` approves": login (when asked for) and a grant.
 * At the consent prompt oidc-provider has computed exactly what is missing; at the login prompt it
 * has not yet, so the grant covers what was requested — login and consent finish in one round trip.
 */
async function approve(provider: Provider, interaction: Interaction, accountId: string, defaultResource: string): Promise<InteractionResults> {
  const { prompt, params } = interaction;
  let grant: Grant | undefined = interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined;
  // A grant is one account's: never extend another account's grant (e.g. after a forced re-login).
  if (grant && (grant.accountId !== accountId || grant.clientId !== params.client_id)) grant = undefined;
  grant ??= new provider.Grant({ accountId, clientId: params.client_id });

  const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = prompt.details;
  if (missingOIDCScope?.length) grant.addOIDCScope(missingOIDCScope.join(' '));
  if (missingOIDCClaims?.length) grant.addOIDCClaims(missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(missingResourceScopes ?? {})) {
    grant.addResourceScope(resource, scopes.join(' '));
  }

  if (prompt.name === 'login') {
    const scopes = requestedScopes(interaction);
    if (scopes.length) grant.addOIDCScope(scopes.join(' '));
    const resourceScopes = scopes.filter((s) => (RESOURCE_SCOPES as readonly string[]).includes(s));
    if (resourceScopes.length) {
      for (const resource of requestedResources(interaction, defaultResource)) {
        grant.addResourceScope(resource, resourceScopes.join(' '));
      }
    }
  }

  const grantId = await grant.save();
  return prompt.name === 'login' ? { login: { accountId }, consent: { grantId } } : { consent: { grantId } };
}

// ---------------------------------------------------------------------------------------------
// Pages

function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;background:#f3f4f6;color:#111827;margin:0;display:grid;place-items:center;min-height:100vh}
main{background:#fff;border-radius:12px;box-shadow:0 2px 12px #0002;padding:28px 32px;max-width:440px;width:100%}
h1{font-size:20px;margin:0 0 4px}.muted{color:#6b7280;font-size:13px}code{background:#f3f4f6;padding:1px 4px;border-radius:4px;word-break:break-all}
label{display:block;margin:12px 0 4px;font-weight:600}input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:8px;border:1px solid #d1d5db;border-radius:6px}
ul{padding-left:20px}.hint ul{margin:4px 0 0}.hint{background:#eff6ff;border:1px solid #bfdbfe;border-radius:6px;padding:8px 10px;margin:12px 0}
.error{background:#fef2f2;border:1px solid #fecaca;border-radius:6px;padding:8px 10px;margin:12px 0;color:#991b1b}
.row{display:flex;gap:8px;margin-top:18px}button{flex:1;padding:10px;border-radius:6px;border:0;font-weight:600;cursor:pointer}
.ok{background:#2563eb;color:#fff}.no{background:#e5e7eb;color:#111827}
</style></head><body><main>${body}</main></body></html>`;
}

interface PageState {
  /** Shown in the error box (as text). */
  readonly error?: string;
  /** The username the form was last submitted with (re-rendered as text; the password is not). */
  readonly username?: string;
}

function interactionPage(interaction: Interaction, clientName: string | undefined, state: PageState = {}): string {
  const { params, prompt, uid } = interaction;
  const { error } = state;
  const scopes = requestedScopes(interaction);
  const resources = Array.isArray(params.resource) ? params.resource : params.resource ? [params.resource] : [];
  const login = prompt.name === 'login';
  const who = clientName ? `${escapeHtml(clientName)} <span class="muted">(<code>${escapeHtml(params.client_id)}</code>)</span>` : `<code>${escapeHtml(params.client_id)}</code>`;
  return page(
    login ? 'Sign in — MCP demo' : 'Allow access — MCP demo',
    `<h1>${login ? 'Sign in and allow access' : 'Allow access'}</h1>
<p class="muted">MCP OAuth Inspector demo authorization server</p>
<p>${who} wants to:</p>
<ul>${scopes.map((s) => `<li>${escapeHtml(SCOPE_TEXT[s] ?? s)} <span class="muted">(<code>${escapeHtml(s)}</code>)</span></li>`).join('') || '<li>access the MCP server</li>'}</ul>
${resources.length ? `<p class="muted">For: ${resources.map((r) => `<code>${escapeHtml(r)}</code>`).join(', ')}</p>` : ''}
${params.redirect_uri ? `<p class="muted">Then return to: <code>${escapeHtml(params.redirect_uri)}</code></p>` : ''}
${!login && interaction.session?.accountId ? `<p class="muted">Signed in as <code>${escapeHtml(interaction.session.accountId)}</code></p>` : ''}
${error ? `<div class="error">${escapeHtml(error)}</div>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}" autocomplete="off">
${login ? loginFields(state.username) : ''}
<div class="row"><button class="no" type="submit" name="action" value="deny">Deny</button><button class="ok" type="submit" name="action" value="approve">${login ? 'Sign in and allow' : 'Allow'}</button></div>
</form>`,
  );
}

/**
 * The demo accounts (printed on purpose: a local demo) and the username/password fields. The form
 * starts filled in for DEMO_USER; after a failed attempt it keeps the username tried, not the password.
 */
function loginFields(triedUsername: string | undefined): string {
  const accounts = DEMO_ACCOUNTS.map(
    (account) => `<li>username <code>${escapeHtml(account.username)}</code>, password <code>${escapeHtml(account.password)}</code> <span class="muted">(${escapeHtml(account.name)})</span></li>`,
  ).join('');
  const username = triedUsername ?? DEMO_USER.username;
  const password = triedUsername === undefined ? DEMO_USER.password : '';
  return `<div class="hint">Demo accounts:<ul>${accounts}</ul></div>
<label for="username">Username</label><input id="username" name="username" type="text" value="${escapeHtml(username)}" required>
<label for="password">Password</label><input id="password" name="password" type="password" value="${escapeHtml(password)}" required>`;
}

function wrongPasswordText(): string {
  return `Wrong username or password (the demo accounts are ${DEMO_ACCOUNTS.map((a) => `${a.username} / ${a.password}`).join(', ')}).`;
}

function errorPage(message: string): string {
  return page('Sign-in problem — MCP demo', `<h1>This sign-in cannot continue</h1><div class="error">${escapeHtml(message)}</div><p>Start again from your MCP client.</p>`);
}

/** oidc-provider's `renderError`: errors shown in the browser (e.g. an unknown client_id), as text. */
export async function renderError(ctx: Parameters<KoaMiddleware>[0], out: { error?: string; error_description?: string }): Promise<void> {
  const status = ctx.status;
  sendHtml(
    ctx,
    status,
    page(
      'Authorization error — MCP demo',
      `<h1>The authorization request was refused</h1><div class="error"><code>${escapeHtml(out.error ?? 'error')}</code>${
        out.error_description ? ` — ${escapeHtml(out.error_description)}` : ''
      }</div><p>Check the client's request, then start again from your MCP client.</p>`,
    ),
  );
}

function sendHtml(ctx: Parameters<KoaMiddleware>[0], status: number, html: string): void {
  ctx.status = status;
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('X-Content-Type-Options', 'nosniff');
  // No form-action: browsers apply it to the redirect chain that ends at the client's redirect_uri.
  ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'");
  ctx.body = html;
}

function redirect(ctx: Parameters<KoaMiddleware>[0], location: string): void {
  ctx.status = 303;
  ctx.redirect(location);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw new Error('form too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// ---------------------------------------------------------------------------------------------
// Middleware

/** `/interaction/:uid`: the login + consent page (or, with auto-approve, an immediate approval). */
export function interactionRoutes(provider: Provider, options: InteractionOptions): KoaMiddleware {
  return async (ctx, next) => {
    const match = UID.exec(ctx.path);
    if (!match) return next();
    const uid = match[1];

    try {
      if (options.autoApprove && ctx.method === 'GET') {
        // Found by the uid in the path: no cookie needed (see the module comment).
        const interaction = await provider.Interaction.find(uid);
        if (!interaction) return sendHtml(ctx, 400, errorPage('This sign-in request has expired or is unknown.'));
        const accountId = approvingAccount(interaction, DEMO_USER.username);
        if (!accountId) return sendHtml(ctx, 400, errorPage('This sign-in request has no signed-in account.'));
        interaction.result = await approve(provider, interaction, accountId, options.defaultResource);
        await interaction.persist();
        options.log(`auto-approved: ${accountId} signed in, granted "${requestedScopes(interaction).join(' ')}" to ${interaction.params.client_id}`);
        return redirect(ctx, interaction.returnTo);
      }

      const interaction = await provider.interactionDetails(ctx.req, ctx.res);
      if (interaction.uid !== uid) return sendHtml(ctx, 400, errorPage('This page does not belong to the current sign-in.'));
      const client = await provider.Client.find(interaction.params.client_id);

      if (ctx.method === 'GET') return sendHtml(ctx, 200, interactionPage(interaction, client?.clientName));
      if (ctx.method !== 'POST') {
        ctx.set('Allow', 'GET, POST');
        return sendHtml(ctx, 405, errorPage('Method not allowed.'));
      }

      const form = await readForm(ctx.req);
      if (form.get('action') !== 'approve') {
        const returnTo = await provider.interactionResult(
          ctx.req,
          ctx.res,
          { error: 'access_denied', error_description: 'The user denied the request.' },
          { mergeWithLastSubmission: false },
        );
        options.log(`denied by the user: ${interaction.params.client_id}`);
        return redirect(ctx, returnTo);
      }
      let signedIn: string | undefined;
      if (interaction.prompt.name === 'login') {
        const username = form.get('username') ?? '';
        const account = findDemoAccount(username);
        if (!account || form.get('password') !== account.password) {
          options.log(`sign-in refused: wrong username or password for ${JSON.stringify(username.slice(0, 64))}`);
          return sendHtml(ctx, 401, interactionPage(interaction, client?.clientName, { error: wrongPasswordText(), username: username.slice(0, 256) }));
        }
        signedIn = account.username;
      }
      const accountId = approvingAccount(interaction, signedIn);
      if (!accountId) return sendHtml(ctx, 400, errorPage('This sign-in request has no signed-in account.'));
      const result = await approve(provider, interaction, accountId, options.defaultResource);
      const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
      options.log(`approved by ${accountId}: granted "${requestedScopes(interaction).join(' ')}" to ${interaction.params.client_id}`);
      return redirect(ctx, returnTo);
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'SessionNotFound') {
        return sendHtml(ctx, 400, errorPage('The sign-in session was not found (expired, or cookies are blocked).'));
      }
      throw error;
    }
  };
}

/** Auto-approve only: replays an interaction's own cookies on its resume request (module comment). */
export function autoApproveCookieRelay(provider: Provider): KoaMiddleware {
  const jar = new Map<string, { cookie: string; expires: number }>();
  const resumePrefix = `${provider.pathFor('authorization')}/`;
  const resumeCookie = `${provider.cookieName('resume')}=`;
  const issuerOrigin = new URL(provider.issuer).origin;

  return async (ctx, next) => {
    if (ctx.path.startsWith(resumePrefix)) {
      const uid = ctx.path.slice(resumePrefix.length);
      const saved = jar.get(uid);
      jar.delete(uid);
      if (saved && saved.expires > Date.now() && !(ctx.get('cookie') ?? '').includes(resumeCookie)) {
        ctx.req.headers.cookie = saved.cookie;
      }
    }

    await next();

    const location = ctx.res.getHeader('location');
    if (typeof location !== 'string') return;
    const target = new URL(location, provider.issuer);
    const match = UID.exec(target.pathname);
    if (target.origin !== issuerOrigin || !match) return;
    const setCookie = ctx.res.getHeader('set-cookie');
    const cookies = (Array.isArray(setCookie) ? setCookie : typeof setCookie === 'string' ? [setCookie] : [])
      .map((line) => line.split(';', 1)[0].trim())
      .filter((pair) => /^[^=]+=.+$/.test(pair));
    const now = Date.now();
    for (const [key, entry] of jar) if (entry.expires <= now) jar.delete(key);
    jar.set(match[1], { cookie: cookies.join('; '), expires: now + 10 * 60 * 1000 });
  };
}
