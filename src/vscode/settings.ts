import * as vscode from 'vscode';
import type { RegistrationPolicy } from '../core/oauth/registration';
import { engine } from './engine';

/** The extension's settings (contributes.configuration in package.json). No secret is ever a setting. */
export interface Settings {
  clientMetadataUrl: string;
  registrationPolicy: RegistrationPolicy;
  defaultScopes: string[];
  requestTimeoutMs: number;
  allowHttpHosts: string[];
  /** 'browser': the user signs in in the system browser; 'headless': the extension follows the
   *  authorization redirects itself (servers that approve without a person: test and CI servers). */
  authorizationMode: 'browser' | 'headless';
  /** 'loopback': http://127.0.0.1:port/callback (RFC 8252); 'external': the same listener through
   *  vscode.env.asExternalUri, for remote extension hosts whose loopback the browser cannot reach;
   *  'uriHandler': back to the editor itself (`${uriScheme}://publisher.name/callback` through
   *  asExternalUri) when no port can be forwarded; 'auto': 'external' in a remote window or a
   *  browser-based editor, else 'loopback'. */
  redirectMode: RedirectModeSetting;
  /** A fixed port for the loopback receiver ('loopback' and 'external' modes); undefined: an ephemeral port. */
  redirectPort?: number;
  /** Speak exactly this MCP protocol version (YYYY-MM-DD); undefined: negotiate (server/discover, else initialize). */
  protocolVersion?: string;
  /** How many MCP messages each server's message log keeps (src/core/mcp/messageLog.ts). */
  messageLogMaxEntries: number;
}

export type RedirectMode = 'loopback' | 'external' | 'uriHandler';
export type RedirectModeSetting = RedirectMode | 'auto';
const REDIRECT_MODES: readonly string[] = ['loopback', 'external', 'uriHandler', 'auto'];

export const SECTION = 'mcpOAuthInspector';

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const policy = c.get<string>('registrationPolicy', 'auto');
  return {
    clientMetadataUrl: c.get<string>('clientMetadataUrl') || engine().DEFAULT_CLIENT_METADATA_URL,
    registrationPolicy: (['auto', 'preregistered', 'cimd', 'dcr', 'manual'].includes(policy) ? policy : 'auto') as RegistrationPolicy,
    defaultScopes: c.get<string[]>('defaultScopes', []).filter((s) => typeof s === 'string' && s.trim()),
    requestTimeoutMs: Math.max(1000, c.get<number>('requestTimeoutMs', 30_000)),
    allowHttpHosts: c.get<string[]>('allowHttpHosts', []).filter((s) => typeof s === 'string'),
    authorizationMode: c.get<string>('authorizationMode') === 'headless' ? 'headless' : 'browser',
    redirectMode: (REDIRECT_MODES.find((m) => m === c.get<string>('redirectMode')) ?? 'auto') as RedirectModeSetting,
    redirectPort: redirectPortSetting(c.get<unknown>('redirectPort', 0)),
    protocolVersion: protocolVersionSetting(c.get<unknown>('protocolVersion', '')),
    messageLogMaxEntries: Math.min(100_000, Math.max(100, Math.floor(Number(c.get<unknown>('messageLog.maxEntries', 2000))) || 2000)),
  };
}

/** Empty: negotiate. Anything else goes to the engine, which refuses a value that is not a version with config_invalid. */
function protocolVersionSetting(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/** 0 or anything but a whole port number: an ephemeral port (undefined). */
function redirectPortSetting(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65_535 ? v : undefined;
}
