import type { Services } from '../services';
import type { Node } from '../tree';
import { resolveServer } from './resolve';

/**
 * Opens the Resources or Prompts panel of a server at one item: from the tree (a resource, template
 * or prompt node carries its server and name), or from code with a server (id or URL) and the item's
 * URI, URI template or prompt name.
 */
export async function openItem(s: Services, kind: 'resources' | 'prompts', arg: unknown, item: unknown): Promise<void> {
  const node = arg && typeof arg === 'object' && 'kind' in arg ? (arg as Node) : undefined;
  const c = await resolveServer(s, arg);
  if (!c) return;
  const name = node?.kind === 'resourceItem' ? node.name : typeof item === 'string' ? item : undefined;
  s.panels.show(kind, c, { tool: name });
}
