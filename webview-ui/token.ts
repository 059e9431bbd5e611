import type { TokenState } from '../src/shared/protocol';
import { levelBadge, serverBar } from './common';
import { h, mount } from './dom';
import type { Rpc } from './rpc';

/** The token panel (issue 6 §2). */
export function startTokenPanel(rpc: Rpc, app: HTMLElement): void {
  rpc.on('state/token', (st: TokenState) => {
    rpc.setState({ kind: 'token', serverId: st.server.id });
    mount(app, serverBar(st.server), h('ul', { class: 'findings' }, st.findings.map((f) => h('li', null, levelBadge(f.level), ' ', f.message))));
  });
}
