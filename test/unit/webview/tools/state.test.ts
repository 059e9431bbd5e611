/**
 * The tools panel's state (webview-ui/tools/state.ts) in plain Node: how a push, a click in the
 * list or the history, and a call change it, and when the host must hear of a new selection.
 */
import * as assert from 'node:assert/strict';
import * as S from '../../../../webview-ui/tools/state';
import { push, record, security, server, tool } from './make';

const tools = [tool('alpha'), tool('beta', 'oauth'), tool('gamma')];

/** The state after a first push (deep-frozen: a transition that mutates its input throws). */
function after(p = push(tools)): S.PanelState {
  return deepFreeze(S.received(S.initialState, p).state);
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

describe('webview/tools/state: the panel state and its transitions', () => {
  describe('a push from the host', () => {
    it('selects what the host names, and tells it nothing back', () => {
      const t = S.received(S.initialState, push(tools, { selected: 'beta' }));
      assert.equal(t.state.selected, 'beta');
      assert.equal(t.state.hostSelected, 'beta');
      assert.equal(t.remember, undefined);
    });

    it('without a selection from the host: the first tool, and the host is told', () => {
      const t = S.received(S.initialState, push(tools, { selected: undefined }));
      assert.equal(t.state.selected, 'alpha');
      assert.equal(t.remember, 'alpha');
      assert.equal(t.state.hostSelected, 'alpha');
    });

    it('keeps the user’s selection when the host repeats what it was told; follows the host when it names another tool', () => {
      const s = after();
      const picked = S.selectTool(s, 'gamma').state;
      const same = S.received(picked, push(tools, { selected: 'gamma' }));
      assert.equal(same.state.selected, 'gamma');
      assert.equal(same.remember, undefined);
      const moved = S.received(same.state, push(tools, { selected: 'beta' }));
      assert.equal(moved.state.selected, 'beta');
    });

    it('a selected tool the server no longer lists falls back to the host’s choice, else the first tool', () => {
      const s = S.selectTool(after(), 'gamma').state;
      const gone = S.received(s, push([tools[0], tools[1]], { selected: 'gamma' }));
      assert.equal(gone.state.selected, 'alpha', 'the host names a tool that is gone too: the first');
      assert.equal(gone.remember, 'alpha');
      const toHost = S.received(s, push([tools[0], tools[1]], { selected: 'beta' }));
      assert.equal(toHost.state.selected, 'beta');
      assert.equal(toHost.remember, undefined);
    });

    it('no tools: nothing selected, nothing to tell', () => {
      const t = S.received(S.initialState, push([], { selected: undefined }));
      assert.equal(t.state.selected, undefined);
      assert.equal(t.remember, undefined);
      assert.equal(S.selectedTool(t.state), undefined);
    });
  });

  describe('the user', () => {
    it('selecting another tool clears the record shown and tells the host; the same tool changes nothing', () => {
      const s = deepFreeze({ ...after(), shown: record(1, 'alpha') });
      assert.equal(S.selectTool(s, 'alpha').state, s);
      assert.equal(S.selectTool(s, 'alpha').remember, undefined);
      const t = S.selectTool(s, 'beta');
      assert.equal(t.state.selected, 'beta');
      assert.equal(t.state.shown, undefined);
      assert.equal(t.remember, 'beta');
      assert.equal(S.selectedTool(t.state)?.name, 'beta');
    });

    it('before any push a selection is not sent anywhere', () => {
      const t = S.selectTool(S.initialState, 'alpha');
      assert.equal(t.state.selected, 'alpha');
      assert.equal(t.remember, undefined);
    });

    it('picking a history entry selects its tool and shows the record as the latest push has it', () => {
      const old = record(7, 'beta', { durationMs: 1 });
      const fresh = record(7, 'beta', { durationMs: 99 });
      const s = after(push(tools, { history: [fresh] }));
      const t = S.pickRecord(s, old);
      assert.equal(t.state.selected, 'beta');
      assert.equal(t.remember, 'beta');
      assert.equal(t.state.shown, fresh);
    });

    it('a history entry of a tool no longer listed shows its record and keeps the selection', () => {
      const gone = record(3, 'zeta');
      const t = S.pickRecord(after(), gone);
      assert.equal(t.state.selected, 'alpha');
      assert.equal(t.remember, undefined);
      assert.equal(t.state.shown, gone, 'not in the latest push: the record the entry was built from');
    });

    it('the filter is just text in the state', () => {
      assert.equal(S.setFilter(after(), 'Be').filter, 'Be');
    });
  });

  describe('a call', () => {
    it('busy while it runs; its record is shown if its tool is still selected; then usable again', () => {
      const s = deepFreeze({ ...after(), signInNote: 'Cancelled.' });
      const running = S.callStarted(s, 'alpha', true);
      assert.equal(running.busy, 'alpha');
      assert.equal(running.busySignIn, true);
      assert.equal(running.signInNote, '', 'a new call forgets the last sign-in outcome');
      const rec = record(5, 'alpha');
      const answered = S.callAnswered(running, 'alpha', rec);
      assert.equal(answered.shown, rec);
      const ended = S.callEnded(answered);
      assert.equal(ended.busy, undefined);
      assert.equal(ended.busySignIn, false);
      assert.equal(ended.shown, rec);
    });

    it('the user moved to another tool meanwhile: the record is not forced on it', () => {
      const running = S.callStarted(after(), 'alpha', false);
      const moved = S.selectTool(running, 'gamma').state;
      const answered = S.callAnswered(moved, 'alpha', record(5, 'alpha'));
      assert.equal(answered.shown, undefined);
      assert.equal(answered.selected, 'gamma');
    });
  });

  describe('the sign-in notice', () => {
    it('shows while this panel’s call signs in, or while the host reports a sign-in; its key follows what it shows', () => {
      assert.equal(S.signInWait(after()), undefined);
      const ours = S.signInWait(S.callStarted(after(), 'beta', true));
      assert.deepEqual(ours && { host: ours.host, note: ours.note }, { host: undefined, note: '' });
      const hosts = S.signInWait(after(push(tools, { signIn: { host: 'auth.example' } })));
      assert.equal(hosts?.host, 'auth.example');
      const noted = S.signInWait(S.setSignInNote(after(push(tools, { signIn: { host: 'auth.example' } })), 'Opened again.'));
      assert.equal(noted?.note, 'Opened again.');
      assert.notEqual(noted?.key, hosts?.key);
      assert.equal(S.signInWait(S.callStarted(after(), 'beta', false)), undefined, 'a call that does not sign in shows no notice');
    });

    it('says what each button did, or that nothing was waiting any more', () => {
      assert.equal(S.signInNoteFor('auth/copyLink', true), 'Copied: paste it into a browser on this machine.');
      assert.equal(S.signInNoteFor('auth/openAgain', true), 'Opened again.');
      assert.equal(S.signInNoteFor('auth/cancel', true), 'Cancelled.');
      for (const a of ['auth/copyLink', 'auth/openAgain', 'auth/cancel'] as const) assert.equal(S.signInNoteFor(a, false), 'No sign-in is waiting any more.');
    });
  });

  describe('derived', () => {
    it('needsSignIn: not covered by the token, or declared public but refused without one while not signed in', () => {
      assert.equal(S.needsSignIn(tool('a', 'oauth'), true), true);
      assert.equal(S.needsSignIn(tool('a', 'oauth', { security: security('oauth', { covered: true, missing: [] }) }), true), false);
      assert.equal(S.needsSignIn(tool('a', 'public'), false), false);
      const refused = tool('a', 'public', { security: security('public', { mismatch: { declared: 'noauth', status: 401, message: 'declared public, refused' } }) });
      assert.equal(S.needsSignIn(refused, false), true);
      assert.equal(S.needsSignIn(refused, true), false);
    });

    it('the result shows the record picked, else the selected tool’s newest; the history marks the same', () => {
      const history = [record(3, 'beta'), record(2, 'alpha'), record(1, 'alpha')];
      const s = after(push(tools, { history, server: server() }));
      assert.equal(S.resultRecord(s)?.id, 2);
      assert.equal(S.historyCurrent(s)?.id, 2);
      const picked = S.pickRecord(s, history[2]).state;
      assert.equal(S.resultRecord(picked)?.id, 1);
      assert.equal(S.historyCurrent(picked)?.id, 1);
      const none = S.selectTool(s, 'gamma').state;
      assert.equal(S.resultRecord(none), undefined);
      assert.equal(S.historyCurrent(none), undefined);
    });
  });
});
