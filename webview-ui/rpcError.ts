import { errorText, type ErrorView, type WebviewErrorCode } from '../src/shared/codes';

/**
 * A request's error reply: the code and the parts as fields (`detail`, `step`, `url`, `hint`);
 * `message` composes them for display (errorText), as InspectorError's does on the host.
 */
export class RpcError extends Error {
  readonly code: WebviewErrorCode;
  /** What happened, without step, URL and hint. */
  readonly detail: string;
  readonly step?: string;
  readonly url?: string;
  readonly hint?: string;

  constructor(e: ErrorView) {
    super(errorText(e));
    this.code = e.code;
    this.detail = e.message;
    this.step = e.step;
    this.url = e.url;
    this.hint = e.hint;
  }

  /** The parts, as they came. */
  view(): ErrorView {
    return { code: this.code, message: this.detail, step: this.step, url: this.url, hint: this.hint };
  }
}
