import { promptItems, promptView } from '../../present/resourceView';
import { serverSummary } from '../../present/summaries';
import { engine } from '../engine';
import { hasMore, loadMore } from '../resourceLists';
import type { PanelController } from './panels';
import { completeFor, completionSupport, ensureConnected } from './resourcePanel';
import { signInFor, withSignInProgress } from './signInProgress';

/**
 * The Prompts panel of a server (one per server, opened at the prompt clicked in the tree): a form
 * for the prompt's arguments with completion, Get, and the messages by role and content type. As
 * with reads, Get never signs in by itself: "Sign in and get" asks again with `signIn`.
 */
export function promptsController(): PanelController {
  return {
    kind: 'prompts',
    title: (c) => `Prompts — ${c.entry.name}`,
    async state(panel) {
      const c = panel.server;
      return {
        method: 'state/prompts',
        params: { server: serverSummary(c), prompts: promptItems(c.prompts), more: hasMore(c, 'prompts'), selected: panel.state.tool, completions: completionSupport(c) },
      };
    },
    requests: {
      'server/connect': async (panel) => {
        await ensureConnected(panel.server);
        return serverSummary(panel.server);
      },
      'auth/signIn': async (panel, p) => {
        await signInFor(panel.server, p.scopes);
        return serverSummary(panel.server);
      },
      'prompt/get': async (panel, p) => {
        const c = panel.server;
        const conn = await ensureConnected(c);
        const get = () => engine().getPrompt(conn.session, p.name, p.args, { authorize: p.signIn === true });
        const result = p.signIn ? await withSignInProgress(c, `getting ${p.name.slice(0, 80)}`, get) : await get();
        c.changed();
        return promptView(p.name, panel.s.redactor.json(result));
      },
      'completion/complete': (panel, p) => completeFor(panel, p),
      'list/more': async (panel, p) => ({ more: await loadMore(panel.server, p.what) }),
    },
  };
}
