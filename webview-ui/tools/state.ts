/**
 * The tools panel's state as one value, and every change to it as a pure function: what the host
 * pushed, which tool is selected (and whether the host must hear of it), the filter, the record the
 * result shows, the call in progress and the sign-in notice's last outcome. No DOM here (unit-tested
 * in plain Node: test/unit/webview/tools/state.test.ts); tools/index.ts holds the value and renders it.
 *
 * Selection has two owners: the host (its push says which tool it last heard of, e.g. after a
 * reload) and the user. A push changes the selection only when the host names a tool it was not
 * already told about; a tool the server no longer lists falls back to the host's choice, else the
 * first tool. Whenever the panel's selection differs from what the host knows, the transition says
 * `remember` and the panel tells the host (`tools/select`, and the webview state for a reload).
 */
import type { CallRecord, ToolsState, ToolView } from '../../src/shared/protocol';

export interface PanelState {
  /** The host's latest `state/tools` push; undefined until the first. */
  readonly st?: ToolsState;
  /** The tool the panel shows. */
  readonly selected?: string;
  /** The tool the host last named or was told about. */
  readonly hostSelected?: string;
  /** What the user typed in "Filter tools". */
  readonly filter: string;
  /** The record the result and the history show as current; undefined → the selected tool's newest. */
  readonly shown?: CallRecord;
  /** The tool whose call is in progress (every call button is disabled meanwhile). */
  readonly busy?: string;
  /** The call in progress signs in first (the sign-in notice offers Cancel while it waits). */
  readonly busySignIn: boolean;
  /** The outcome of the last Copy link / Open again / Cancel, shown in the sign-in notice. */
  readonly signInNote: string;
}

/** A new state, and the tool to tell the host is selected now (when it changed). */
export interface Transition {
  readonly state: PanelState;
  readonly remember?: string;
}

export const initialState: PanelState = { filter: '', busySignIn: false, signInNote: '' };

function remember(s: PanelState, tool: string): Transition {
  if (!s.st) return { state: s };
  return { state: { ...s, hostSelected: tool }, remember: tool };
}

/** A `state/tools` push: the new data, and the selection reconciled with the host's. */
export function received(s: PanelState, next: ToolsState): Transition {
  const listed = (name: string | undefined) => next.tools.some((t) => t.name === name);
  let selected = s.selected;
  if (next.selected && next.selected !== s.hostSelected) selected = next.selected;
  if (!selected || !listed(selected)) selected = next.selected && listed(next.selected) ? next.selected : next.tools[0]?.name;
  const state: PanelState = { ...s, st: next, selected, hostSelected: next.selected };
  return selected && selected !== next.selected ? remember(state, selected) : { state };
}

/** The user selects a tool (click, arrows, Enter): another tool shows its own newest record. */
export function selectTool(s: PanelState, name: string): Transition {
  if (name === s.selected) return { state: s };
  return remember({ ...s, selected: name, shown: undefined }, name);
}

/**
 * The user picks a history entry: its tool is selected (when still listed) and the record shown —
 * as the latest push has it (the entry's button can outlive the push that built it).
 */
export function pickRecord(s: PanelState, rec: CallRecord): Transition {
  if (!s.st) return { state: s };
  const t: Transition = s.st.tools.some((x) => x.name === rec.tool) && rec.tool !== s.selected ? remember({ ...s, selected: rec.tool }, rec.tool) : { state: s };
  return { ...t, state: { ...t.state, shown: s.st.history.find((x) => x.id === rec.id) ?? rec } };
}

export function setFilter(s: PanelState, filter: string): PanelState {
  return { ...s, filter };
}

/** A call goes out: the panel is busy, and the sign-in notice forgets its last outcome. */
export function callStarted(s: PanelState, tool: string, signIn: boolean): PanelState {
  return { ...s, busy: tool, busySignIn: signIn, signInNote: '' };
}

/** The call's record came back: it is shown when its tool is still the selected one. */
export function callAnswered(s: PanelState, tool: string, rec: CallRecord): PanelState {
  return s.selected === tool ? { ...s, shown: rec } : s;
}

/** The call is over (answered or refused): every button is usable again. */
export function callEnded(s: PanelState): PanelState {
  return { ...s, busy: undefined, busySignIn: false };
}

export function setSignInNote(s: PanelState, signInNote: string): PanelState {
  return { ...s, signInNote };
}

export type SignInAction = 'auth/copyLink' | 'auth/openAgain' | 'auth/cancel';

/** What the sign-in notice says after the host answered one of its buttons (`done` false: nothing was waiting). */
export function signInNoteFor(action: SignInAction, done: boolean): string {
  if (!done) return 'No sign-in is waiting any more.';
  return action === 'auth/copyLink' ? 'Copied: paste it into a browser on this machine.' : action === 'auth/openAgain' ? 'Opened again.' : 'Cancelled.';
}

/**
 * The sign-in notice: shown while this panel's call signs in or the host reports a sign-in waiting
 * for the browser (`host`: where the user signs in). `key` changes exactly when what it shows does.
 */
export interface SignInWait {
  readonly host?: string;
  readonly note: string;
  readonly key: string;
}

export function signInWait(s: PanelState): SignInWait | undefined {
  const host = s.st?.signIn?.host;
  if (!s.busySignIn && host === undefined) return undefined;
  return { host, note: s.signInNote, key: JSON.stringify([host ?? null, s.busySignIn, s.signInNote]) };
}

/** The selected tool as the latest push lists it. */
export function selectedTool(s: PanelState): ToolView | undefined {
  return s.st?.tools.find((t) => t.name === s.selected);
}

/**
 * Whether a call should sign in first: the token does not cover what the tool declares, or a tool
 * declared public was refused without a token (it needs one all the same) while not signed in.
 */
export function needsSignIn(t: ToolView, signedIn: boolean | undefined): boolean {
  return (t.security.requiresAuth && !t.security.covered) || (!!t.security.mismatch && !signedIn);
}

/** The record the result shows: the one picked or just made, else the selected tool's newest. */
export function resultRecord(s: PanelState): CallRecord | undefined {
  const t = selectedTool(s);
  return s.shown ?? s.st?.history.find((r) => r.tool === t?.name);
}

/** The history entry marked current: the record shown, else the newest call of the selected tool. */
export function historyCurrent(s: PanelState): CallRecord | undefined {
  return s.shown ?? s.st?.history.find((r) => r.tool === s.selected);
}
