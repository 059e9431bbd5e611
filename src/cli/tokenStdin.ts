/**
 * `--token-stdin`: the CLI's Bring Your Own Token. The access token (first line) and, optionally, a
 * refresh token (second line) are read from standard input — never from an argument, because the
 * arguments of a running process are readable by every user of the machine (`ps`, /proc/<pid>/cmdline)
 * and land in shell history. The tokens are kept in memory for this run only (nothing goes to
 * `--store`), handed to the redactor before anything can print them, and checked for their audience
 * first: a JWT whose `aud` names another resource is refused unless `--accept-audience-mismatch`,
 * and then every request with it is marked in the trace.
 */
import type { Readable } from 'node:stream';
import type { Connection } from '../core/connection';
import { InspectorError } from '../core/errors';
import { canonicalResource } from '../core/oauth/discovery';
import { checkPastedToken, externalTokenAudience, type ExternalTokenAudience } from '../core/oauth/externalToken';
import { STEP } from '../shared/codes';

/** Largest standard input read for a token (two tokens and line breaks). */
const MAX_STDIN = 200 * 1024;

export async function readStdinText(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of stream) {
    const b = typeof c === 'string' ? Buffer.from(c) : (c as Buffer);
    size += b.length;
    if (size > MAX_STDIN) throw new InspectorError('invalid_arguments', `standard input is larger than ${MAX_STDIN} bytes`, { step: STEP.tokenInspection, hint: 'Pipe only the access token (and a refresh token on the next line)' });
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Uses the token read from `text` for `conn`: memory only. Resolves with what its audience said;
 * rejects with 'resource_mismatch' naming both when it is for another resource and not accepted.
 */
export async function useTokenFromText(conn: Connection, text: string, opts: { acceptAudienceMismatch?: boolean } = {}): Promise<ExternalTokenAudience> {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (lines.length === 0) throw new InspectorError('invalid_arguments', '--token-stdin: standard input holds no token', { step: STEP.tokenInspection, hint: 'Pipe the access token in, e.g. mcp-oauth-inspector call <url> <tool> --token-stdin < token.txt' });
  if (lines.length > 2) throw new InspectorError('invalid_arguments', '--token-stdin: standard input has more than two lines', { step: STEP.tokenInspection, hint: 'The access token on the first line, a refresh token (optional) on the second' });
  const access = checkPastedToken(lines[0]!, 'access token');
  const refresh = lines[1] ? checkPastedToken(lines[1], 'refresh token') : undefined;
  // redacted before any check can mention it
  conn.redactor.addSecret(access);
  conn.redactor.addSecret(refresh);
  const aud = externalTokenAudience(access, canonicalResource(conn.serverUrl), conn.serverUrl);
  if (aud.matches === false && !opts.acceptAudienceMismatch) {
    throw new InspectorError('resource_mismatch', `the token's audience (aud) is ${aud.audience!.map((a) => JSON.stringify(a)).join(', ')}, not ${aud.resource}: a server that checks the audience must reject it (RFC 8707 §2, RFC 9068 §4)`, {
      step: STEP.tokenInspection,
      url: aud.resource,
      hint: 'Get a token for this resource, or pass --accept-audience-mismatch to send it anyway (every request is then marked in the trace)',
    });
  }
  await conn.auth.useExternalTokens({ access_token: access, refresh_token: refresh, audienceMismatchAccepted: aud.matches === false || undefined }, { persist: false });
  return aud;
}
