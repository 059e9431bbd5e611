/**
 * A token inspection's findings as the rows of the token panel's "Verification" table (pure: no
 * vscode, no DOM): each finding labelled by what it checks — looked up by its code in
 * TOKEN_FINDING_CHECK (src/shared/codes.ts), never matched by text — and the rows ordered by that
 * table (signature, issuer and audience first), findings of one check in inspection order.
 */
import type { TokenFinding } from '../core/inspect/token';
import { TOKEN_CHECK_ORDER, TOKEN_FINDING_CHECK } from '../shared/codes';
import type { TokenCheck } from '../shared/protocol';

export function tokenChecks(findings: readonly TokenFinding[]): TokenCheck[] {
  const order = (f: TokenFinding) => TOKEN_CHECK_ORDER.indexOf(TOKEN_FINDING_CHECK[f.code]);
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => order(a.f) - order(b.f) || a.i - b.i)
    .map(({ f }) => ({ check: TOKEN_FINDING_CHECK[f.code], level: f.level, message: f.message, code: f.code }));
}
