import * as vscode from 'vscode';
import { engine } from '../engine';
import type { Services } from '../services';
import { resolveServer } from './resolve';

/**
 * "Use Access Token…": the user pastes an access token (and, optionally, a refresh token) for a
 * server instead of signing in. Both are asked for in password boxes, kept in SecretStorage through
 * the engine's CredentialStore (AuthManager.useExternalTokens: grant 'external'), and never shown,
 * logged or put in a setting. A JWT whose `aud` names another resource is stopped with a modal that
 * names both (RFC 8707 §2, RFC 9068 §4); "Use Anyway" keeps it, and every request carrying it is
 * then marked in the trace and the log. An opaque token is taken as it is. The token panel opens on
 * it at once; calls use it from the next request on.
 */
export async function useAccessToken(s: Services, arg?: unknown): Promise<{ stored: boolean; format?: 'jwt' | 'opaque'; audienceMismatchAccepted?: boolean }> {
  const c = await resolveServer(s, arg);
  if (!c) return { stored: false };
  const { checkPastedToken, externalTokenAudience, introspectedAudience, inspectConnectionToken, canonicalResource } = engine();
  const access = await vscode.window.showInputBox({
    title: `Use Access Token — ${c.entry.name}`,
    prompt: 'Paste the access token (without "Bearer "). It is kept in the editor\'s secret storage and never shown or logged.',
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => validate(() => checkPastedToken(v, 'access token')),
  });
  if (access === undefined) return { stored: false };
  const refresh = await vscode.window.showInputBox({
    title: `Use Access Token — ${c.entry.name} (optional)`,
    prompt: 'Paste a refresh token for it too, or leave empty. Refreshing needs the client that obtained it to be this server\'s registered client.',
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? validate(() => checkPastedToken(v, 'refresh token')) : undefined),
  });
  if (refresh === undefined) return { stored: false };
  const accessToken = checkPastedToken(access, 'access token');
  const refreshToken = refresh.trim() ? checkPastedToken(refresh, 'refresh token') : undefined;
  const conn = c.ensureConn();
  await conn.auth.load();
  const resource = conn.auth.discovery?.resource ?? canonicalResource(conn.serverUrl);
  let aud = externalTokenAudience(accessToken, resource, conn.serverUrl);
  // An opaque token says nothing itself: ask the authorization server when it offers introspection
  // and this client can authenticate to it (RFC 7662; inspectConnectionToken decides, else skips).
  if (aud.format === 'opaque' && conn.auth.discovery) {
    const inspection = await inspectConnectionToken(conn, accessToken).catch(() => undefined);
    aud = introspectedAudience(inspection, resource, conn.serverUrl) ?? aud;
  }
  let accepted = false;
  if (aud.matches === false) {
    const choice = await vscode.window.showWarningMessage(
      `This token is for another resource`,
      {
        modal: true,
        detail: `${aud.source === 'introspection' ? "The authorization server's introspection says its audience (aud)" : 'Its audience (aud)'} is ${aud.audience!.map((a) => `"${a}"`).join(', ')}, but it would be sent to ${aud.resource}. A server that checks the audience must reject it (RFC 8707 §2, RFC 9068 §4); a server that accepts it anyway is worth reporting. Use it anyway? Every request with it will be marked in the log.`,
      },
      'Use Anyway',
    );
    if (choice !== 'Use Anyway') return { stored: false };
    accepted = true;
  }
  await conn.auth.useExternalTokens({ access_token: accessToken, refresh_token: refreshToken, audienceMismatchAccepted: accepted || undefined });
  // never the value: only what kind of token it was and whether the audience was waived
  s.log.info(`${c.entry.name}: using a user-supplied access token (${aud.format}${refreshToken ? ', with a refresh token' : ''}${accepted ? ', audience mismatch accepted' : ''})`);
  c.recomputeSecurity();
  s.panels.show('token', c);
  return { stored: true, format: aud.format, ...(accepted ? { audienceMismatchAccepted: true } : {}) };
}

function validate(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (err) {
    return (err as Error).message.split('\n')[0];
  }
}
