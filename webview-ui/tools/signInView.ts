/**
 * The notice while a sign-in waits for the browser (its content: detailView.ts signInNotice),
 * rebuilt only when what it shows changes, keeping the keyboard where it was: on the same button,
 * or on the notice's first button when it appears and the focus was on a button the call disabled.
 */
import { mount } from '../dom';
import { signInNotice } from './detailView';
import type { SignInAction, SignInWait } from './state';

export class SignInView {
  private key = '';

  constructor(
    readonly slot: HTMLElement,
    private readonly act: (action: SignInAction) => void,
  ) {}

  /** Shows `wait` (undefined: no notice). True when the notice just went away: its note is then forgotten. */
  render(wait: SignInWait | undefined): boolean {
    const slot = this.slot;
    const key = wait?.key ?? '';
    if (key === this.key) return false;
    const appearing = this.key === '' && key !== '';
    const focusWasIn = slot.contains(document.activeElement) ? (document.activeElement?.getAttribute('aria-label') ?? '') : undefined;
    this.key = key;
    if (!wait) {
      mount(slot);
      return true;
    }
    mount(slot, signInNotice(wait, this.act));
    if (focusWasIn !== undefined) ([...slot.querySelectorAll('button')].find((b) => b.getAttribute('aria-label') === focusWasIn) ?? slot.querySelector('button'))?.focus();
    else if (appearing && document.hasFocus() && (document.activeElement === document.body || (document.activeElement as HTMLButtonElement | null)?.disabled)) slot.querySelector<HTMLElement>('button')?.focus();
    return false;
  }
}
