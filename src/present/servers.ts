/**
 * Choices about the server list (no vscode): which entry a Connect to a URL uses, where an updated
 * entry goes, the order of "Which server?".
 */

/** The fields of a server entry these choices read (src/vscode/serverStore.ts ServerEntry). */
export interface EntryLike {
  id: string;
  name: string;
  url: string;
  registration?: string;
  clientId?: string;
  scopes?: string[];
}

/**
 * The entry a Connect to `req.url` uses. A URL already in the list keeps its entry: same id, same
 * name, same place (the caller updates in place); only what the request names explicitly changes
 * (a name, a registration, a client id, scopes given from code). A new URL gets a new entry named
 * `defaultName`.
 */
export function entryForConnect<E extends EntryLike>(
  existing: E | undefined,
  req: Partial<Pick<E, 'name' | 'registration' | 'clientId' | 'scopes'>> & { url: string },
  id: string,
  defaultName: string,
): { entry: E; reused: boolean; changed: boolean } {
  if (!existing) {
    return { entry: { id, name: req.name ?? defaultName, url: req.url, registration: req.registration, clientId: req.clientId, scopes: req.scopes } as E, reused: false, changed: true };
  }
  const entry: E = {
    ...existing,
    ...(req.name !== undefined ? { name: req.name } : {}),
    ...(req.registration !== undefined ? { registration: req.registration } : {}),
    ...(req.clientId !== undefined ? { clientId: req.clientId } : {}),
    ...(req.scopes !== undefined ? { scopes: req.scopes } : {}),
  };
  const changed = (['name', 'registration', 'clientId'] as const).some((k) => entry[k] !== existing[k]) || JSON.stringify(entry.scopes ?? null) !== JSON.stringify(existing.scopes ?? null);
  return { entry, reused: true, changed };
}

/** `list` with `entry` in place of the entry with its id (same position), or appended when new. */
export function upsertInPlace<E extends { id: string }>(list: readonly E[], entry: E): E[] {
  const i = list.findIndex((e) => e.id === entry.id);
  if (i < 0) return [...list, entry];
  const out = [...list];
  out[i] = entry;
  return out;
}

/** "Which server?" order: connected first, then connecting, then the rest; list order within each. */
const PICK_RANK: Record<string, number> = { connected: 0, connecting: 1 };

export function pickOrder<T>(items: readonly T[], stateOf: (t: T) => string): T[] {
  return items
    .map((t, i) => ({ t, i, r: PICK_RANK[stateOf(t)] ?? 2 }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.t);
}
