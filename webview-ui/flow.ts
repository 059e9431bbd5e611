import type { FlowState } from '../src/shared/protocol';
import { levelBadge, serverBar } from './common';
import { h, mount } from './dom';
import type { Rpc } from './rpc';

/** The OAuth flow panel (issue 6 §3). */
export function startFlowPanel(rpc: Rpc, app: HTMLElement): void {
  rpc.on('state/flow', (st: FlowState) => {
    rpc.setState({ kind: 'flow', serverId: st.server.id });
    mount(app, serverBar(st.server), h('ol', { class: 'steps' }, st.steps.map((s) => h('li', { 'data-step': s.step }, levelBadge(s.level), ' ', h('strong', null, s.step), ' — ', s.finding))));
  });
}
