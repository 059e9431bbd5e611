/**
 * DPoP (RFC 9449; MCP SEP-1932): sender-constrained access tokens. When the authorization server
 * advertises `dpop_signing_alg_values_supported` with an algorithm we sign with, every token request
 * carries a DPoP proof (the token comes back bound to our key, `cnf.jkt`), and every request to the
 * MCP server presents it as `Authorization: DPoP <token>` with a fresh proof (`htm`, `htu`, `ath`).
 * Server-provided nonces (`use_dpop_nonce`, RFC 9449 §8 at the authorization server, §9 at the
 * resource) are answered by sending the request once more with the nonce.
 *
 * Proof generation and the nonce cache are oauth4webapi's (`DPoP()`, the `DPoP` option of its
 * requests, `isDPoPNonceError`). Proofs and keys are secrets (the `dpop` header is redacted in
 * traces, never logged). The key pair is kept where the tokens bound to it are kept — the secret
 * store, as a JWK pair next to those tokens (`StoredDpopKey`) — so a DPoP-bound token stays usable
 * after the editor restarts, as a Bearer token does; it is deleted with them. JWK export and import
 * are jose's (`exportJWK`, `importJWK`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9449.html
 */
import { exportJWK, importJWK, type JWK } from 'jose';
import * as oauth from 'oauth4webapi';
import type { OAuthContext } from './context';
import type { TraceStep } from '../../shared/codes';

/** A WebCrypto key pair as oauth4webapi makes and takes them. */
type KeyPair = Awaited<ReturnType<typeof oauth.generateKeyPair>>;

/** A DPoP key pair as stored in the secret store (RFC 7517 JWKs; the private one is a secret). */
export interface StoredDpopKey {
  alg: DpopAlg;
  privateJwk: JWK;
  publicJwk: JWK;
}

/** The private members of a JWK (RFC 7518 §6): each value is a secret, redacted wherever it could appear. */
export const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const;

/** The proof algorithms we sign with, in order of preference. */
const OUR_ALGS = ['ES256', 'EdDSA', 'PS256', 'RS256'] as const;
export type DpopAlg = (typeof OUR_ALGS)[number];

/** The algorithm to sign proofs for `as` with, or undefined when it does not advertise DPoP (RFC 9449 §5.1). */
export function dpopAlgFor(as: oauth.AuthorizationServer): DpopAlg | undefined {
  const offered = as.dpop_signing_alg_values_supported;
  if (!Array.isArray(offered)) return undefined;
  return OUR_ALGS.find((a) => offered.includes(a));
}

/** Whether a token set's type says it is DPoP-bound (RFC 9449 §5: `token_type` "DPoP", case-insensitive). */
export function isDpopTokenType(tokenType: string | undefined): boolean {
  return typeof tokenType === 'string' && tokenType.toLowerCase() === 'dpop';
}

/**
 * One client's DPoP key and oauth4webapi handle (which also remembers each origin's latest nonce).
 * Made lazily, once per algorithm; a new algorithm gets a new key.
 */
export class DpopKeys {
  private current?: { alg: DpopAlg; made: Promise<{ handle: oauth.DPoPHandle; jkt: string; pair: KeyPair }> };

  /** The handle for proofs signed with `alg` (key made on first use). */
  async handle(alg: DpopAlg): Promise<oauth.DPoPHandle> {
    return (await this.get(alg)).handle;
  }

  /** The JWK SHA-256 thumbprint (RFC 7638) of the current key, if one was made: what `cnf.jkt` names. */
  async thumbprint(): Promise<string | undefined> {
    return this.current ? (await this.current.made).jkt : undefined;
  }

  /** The current key pair as JWKs, to keep next to the tokens bound to it; undefined when none was made. */
  async export(): Promise<StoredDpopKey | undefined> {
    if (!this.current) return undefined;
    const { alg } = this.current;
    const { pair } = await this.current.made;
    return { alg, privateJwk: await exportJWK(pair.privateKey), publicJwk: await exportJWK(pair.publicKey) };
  }

  /**
   * Takes a stored key pair back (the tokens stored with it are bound to it). Returns false, keeping
   * no key, when the stored value is not a usable key pair of an algorithm we sign with.
   */
  async restore(stored: StoredDpopKey): Promise<boolean> {
    if (!OUR_ALGS.includes(stored?.alg) || typeof stored.privateJwk !== 'object' || typeof stored.publicJwk !== 'object') return false;
    const made = (async () => {
      const pair: KeyPair = {
        privateKey: (await importJWK(stored.privateJwk, stored.alg, { extractable: true })) as KeyPair['privateKey'],
        publicKey: (await importJWK(stored.publicJwk, stored.alg, { extractable: true })) as KeyPair['publicKey'],
      };
      const handle = oauth.DPoP({}, pair);
      return { handle, jkt: await handle.calculateThumbprint(), pair };
    })();
    try {
      await made;
    } catch {
      return false;
    }
    this.current = { alg: stored.alg, made };
    return true;
  }

  /** Forgets the key (sign-out, or its tokens were dropped): the next sign-in makes a new one. */
  clear(): void {
    this.current = undefined;
  }

  private get(alg: DpopAlg) {
    if (!this.current || this.current.alg !== alg) {
      const made = (async () => {
        // extractable: the pair is kept in the secret store with the tokens bound to it (see above)
        const pair = await oauth.generateKeyPair(alg, { extractable: true });
        const handle = oauth.DPoP({}, pair);
        return { handle, jkt: await handle.calculateThumbprint(), pair };
      })();
      this.current = { alg, made };
      made.catch(() => {
        if (this.current?.made === made) this.current = undefined;
      });
    }
    return this.current.made;
  }
}

/**
 * Send a token endpoint request and process its response; when DPoP is in use and the authorization
 * server answers `use_dpop_nonce` (RFC 9449 §8), send it once more — the handle has cached the nonce
 * from the `DPoP-Nonce` response header, so the new proof carries it. A second nonce error is thrown.
 */
export async function withDpopNonceRetry<T>(ctx: OAuthContext, step: TraceStep, dpop: oauth.DPoPHandle | undefined, send: () => Promise<Response>, process: (res: Response) => Promise<T>): Promise<T> {
  const res = await send();
  try {
    return await process(res);
  } catch (err) {
    if (!dpop || !oauth.isDPoPNonceError(err)) throw err;
    ctx.trace.note(step, 'info', 'the authorization server asks for a DPoP nonce (use_dpop_nonce): sending the request once more with a proof that carries it', 'RFC 9449 §8');
    return process(await send());
  }
}
