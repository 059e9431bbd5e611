import type { ServerSummary } from '../src/shared/protocol';
import { h, icon, relativeTime } from './dom';

/** The bar at the top of every panel: which server, its state, who is signed in where. */
export function serverBar(s: ServerSummary): HTMLElement {
  const state = s.state === 'connected' ? (s.signedIn ? 'connected · signed in' : 'connected · anonymous') : s.state.replace(/-/g, ' ');
  return h(
    'header',
    { class: 'server-bar' },
    h('div', { class: 'server-name' }, icon(s.signedIn ? 'unlock' : 'lock'), ' ', h('strong', null, s.name), ' ', h('span', { class: 'muted' }, s.url)),
    h(
      'div',
      { class: 'server-state', 'data-level': s.state === 'error' ? 'fail' : s.state === 'connected' ? 'pass' : 'info' },
      state,
      s.issuer ? h('span', { class: 'muted' }, ` · ${s.issuer}`) : null,
      s.signedIn && s.expiresAt ? h('span', { class: 'muted' }, ` · token expires ${relativeTime(s.expiresAt)}`) : null,
      s.protocol ? h('span', { class: 'muted', 'data-testid': 'server-protocol' }, ` · ${s.protocol}`) : null,
    ),
    s.error ? h('p', { class: 'error', role: 'alert' }, s.error) : null,
  );
}

/** A pass/info/warn/fail badge. */
export function levelBadge(level: string): HTMLElement {
  const iconName = level === 'pass' ? 'pass' : level === 'fail' ? 'error' : level === 'warn' ? 'warning' : 'info';
  return h('span', { class: `badge level-${level}`, 'data-level': level }, icon(iconName), ` ${level}`);
}
