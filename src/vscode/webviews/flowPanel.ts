import { initializeView } from '../../present/serverInfo';
import type { ServerConnection } from '../connections';
import type { InspectorDocuments } from '../documents';
import { flowMarkdown } from '../../present/reports';
import { flowCounts, flowSteps } from '../../present/flowSteps';
import type { InspectorPanel, PanelController } from './panels';
import { copyExchange } from './messagesPanel';
import { serverSummary } from '../../present/summaries';

/** How long the panel waits after a trace entry before it re-renders (entries come in bursts). */
const LIVE_DELAY_MS = 150;

/** The exchange each flow panel was last asked to show (FlowState.reveal). */
const reveals = new WeakMap<InspectorPanel, { exchange: number; seq: number }>();
let revealSeq = 0;

/** Show this trace exchange in a flow panel: its step opened, scrolled into view (the Audit panel's "show exchange"). */
export function revealExchange(panel: InspectorPanel, exchange: number): void {
  reveals.set(panel, { exchange, seq: ++revealSeq });
  panel.refresh();
}

export function flowController(documents: InspectorDocuments): PanelController {
  return {
    kind: 'flow',
    title: (c: ServerConnection) => `OAuth flow — ${c.entry.name}`,
    async state(panel) {
      const entries = panel.server.conn?.trace.all() ?? [];
      const steps = flowSteps(entries);
      const initialize = initializeView(panel.server.conn?.session.initializeResult);
      return { method: 'state/flow', params: { server: serverSummary(panel.server), initialize, steps, counts: flowCounts(steps), entries: entries.length, reveal: reveals.get(panel) } };
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
        await documents.show(`oauth-flow-${panel.server.entry.name}`, flowMarkdown(panel.server));
        return { opened: true };
      },
      'flow/copyRequest': async (panel, params) => copyExchange(panel.server, params.exchange, params.as),
    },
  };
}
