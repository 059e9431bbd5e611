import { initializeView } from '../../present/serverInfo';
import type { ServerConnection } from '../connections';
import { flowMarkdown } from '../reports';
import { flowCounts, flowSteps } from './flowSteps';
import type { PanelController } from './panels';
import { serverSummary } from './state';

/** How long the panel waits after a trace entry before it re-renders (entries come in bursts). */
const LIVE_DELAY_MS = 150;

export function flowController(): PanelController {
  return {
    kind: 'flow',
    title: (c: ServerConnection) => `OAuth flow — ${c.entry.name}`,
    async state(panel) {
      const entries = panel.server.conn?.trace.all() ?? [];
      const steps = flowSteps(entries);
      const initialize = initializeView(panel.server.conn?.session.initializeResult);
      return { method: 'state/flow', params: { server: serverSummary(panel.server), initialize, steps, counts: flowCounts(steps), entries: entries.length } };
    },
    watch(panel, refresh) {
      // The trace belongs to the engine connection, which is rebuilt on every connect. Entries come
      // in bursts (a sign-in is ~15 of them): one re-render per burst.
      let off: (() => void) | undefined;
      let offUpdates: (() => void) | undefined;
      let current = panel.server.conn;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const later = () => {
        timer ??= setTimeout(() => {
          timer = undefined;
          refresh();
        }, LIVE_DELAY_MS);
      };
      const attach = () => {
        off?.();
        offUpdates?.();
        current = panel.server.conn;
        off = current?.trace.onEntry(later);
        // an event stream's messages arrive after its exchange was recorded
        offUpdates = current?.trace.onUpdate(later);
      };
      attach();
      const sub = panel.server.onDidChange(() => {
        if (panel.server.conn !== current) attach();
      });
      return {
        dispose: () => {
          off?.();
          offUpdates?.();
          sub.dispose();
          if (timer) clearTimeout(timer);
        },
      };
    },
    requests: {
      'flow/export': async (panel) => {
        await panel.s.documents.show(`oauth-flow-${panel.server.entry.name}`, flowMarkdown(panel.server));
        return { opened: true };
      },
    },
  };
}
