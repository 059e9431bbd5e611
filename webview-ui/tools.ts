import type { ToolsState } from '../src/shared/protocol';
import { serverBar } from './common';
import { h, mount } from './dom';
import type { Rpc } from './rpc';

/** The tools panel (issue 6 §1). */
export function startToolsPanel(rpc: Rpc, app: HTMLElement): void {
  rpc.on('state/tools', (st: ToolsState) => {
    rpc.setState({ kind: 'tools', serverId: st.server.id, tool: st.selected });
    mount(app, serverBar(st.server), h('ul', { class: 'tool-list' }, st.tools.map((t) => h('li', { 'data-tool': t.name }, h('strong', null, t.name), ' ', h('span', { class: 'muted' }, t.description ?? '')))));
  });
}
