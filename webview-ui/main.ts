import type { PanelKind } from '../src/shared/protocol';
import { h, icon, mount } from './dom';
import { Rpc } from './rpc';
import { startAuditPanel } from './audit';
import { startFlowPanel } from './flow';
import { startTokenPanel } from './token';
import { startToolsPanel } from './tools';
import { startMessagesPanel } from './messages';
import { startPromptsPanel } from './prompts';
import { startResourcesPanel } from './resources';

/** Entry point: the host's page says which panel this is (`<body data-panel>`). */
const rpc = new Rpc();
const app = document.getElementById('app')!;
const kind = document.body.dataset.panel as PanelKind;

rpc.on('toast', (t) => {
  const region = document.getElementById('toast') ?? document.body.appendChild(h('div', { id: 'toast', role: 'status', 'aria-live': 'polite' }));
  mount(region, h('div', { class: `toast level-${t.level}` }, icon(t.level === 'fail' ? 'error' : t.level === 'warn' ? 'warning' : 'info'), ' ', t.message));
});

if (kind === 'tools') startToolsPanel(rpc, app);
else if (kind === 'token') startTokenPanel(rpc, app);
else if (kind === 'flow') startFlowPanel(rpc, app);
else if (kind === 'audit') startAuditPanel(rpc, app);
else if (kind === 'resources') startResourcesPanel(rpc, app);
else if (kind === 'prompts') startPromptsPanel(rpc, app);
else if (kind === 'messages') startMessagesPanel(rpc, app);
rpc.command('ready', {});
