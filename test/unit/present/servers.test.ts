/**
 * Choices about the server list (src/present/servers.ts). Connect from the palette to a
 * URL already in the list renamed the entry and moved it to the end; "Which server?" listed
 * disconnected servers first.
 */
import assert from 'node:assert/strict';
import { entryForConnect, pickOrder, upsertInPlace, type EntryLike } from '../../../src/present/servers';

const A: EntryLike = { id: 'http://a/mcp', name: 'Todo (per-tool)', url: 'http://a/mcp', registration: 'preregistered', clientId: 'demo-client', scopes: ['todos.read'] };
const B: EntryLike = { id: 'http://b/mcp', name: 'B', url: 'http://b/mcp' };
const C: EntryLike = { id: 'http://c/mcp', name: 'C', url: 'http://c/mcp' };

describe('present/servers: connect reuses, the list keeps its order, connected servers first', () => {
  it('a URL already in the list: the same entry (id, name, client choices), unchanged, so nothing is written', () => {
    const r = entryForConnect(A, { url: A.url }, 'ignored-id', 'a/mcp');
    assert.equal(r.reused, true);
    assert.equal(r.changed, false);
    assert.deepEqual(r.entry, A);
  });

  it('a known URL with explicit choices from code (Retry, tests): those change, the name stays unless given', () => {
    const r = entryForConnect(A, { url: A.url, scopes: ['todos.write'] }, 'x', 'a/mcp');
    assert.equal(r.changed, true);
    assert.deepEqual(r.entry, { ...A, scopes: ['todos.write'] });
    const same = entryForConnect(A, { url: A.url, name: A.name, registration: 'preregistered', clientId: 'demo-client', scopes: ['todos.read'] }, 'x', 'a/mcp');
    assert.equal(same.changed, false, 'Retry passes the entry\'s own values: no write');
    assert.equal(entryForConnect(A, { url: A.url, name: 'Renamed' }, 'x', 'a/mcp').entry.name, 'Renamed');
  });

  it('a new URL: a new entry with the default name', () => {
    const r = entryForConnect(undefined, { url: 'http://n/mcp' }, 'http://n/mcp', 'n/mcp');
    assert.deepEqual(r, { entry: { id: 'http://n/mcp', name: 'n/mcp', url: 'http://n/mcp', registration: undefined, clientId: undefined, scopes: undefined }, reused: false, changed: true });
  });

  it('upsert keeps the position of an existing entry; a new one goes last', () => {
    const renamed = { ...A, name: 'A2' };
    assert.deepEqual(upsertInPlace([A, B, C], renamed), [renamed, B, C]);
    assert.deepEqual(upsertInPlace([B, A, C], { ...A }).map((e) => e.id), [B.id, A.id, C.id]);
    const n = { id: 'n', name: 'n', url: 'http://n/' };
    assert.deepEqual(upsertInPlace([A, B], n), [A, B, n]);
  });

  it('"Which server?": connected first, then connecting, then the rest; list order within each', () => {
    const states: Record<string, string> = { a: 'disconnected', b: 'connected', c: 'error', d: 'connecting', e: 'connected', f: 'sign-in-required' };
    assert.deepEqual(pickOrder(Object.keys(states), (k) => states[k]), ['b', 'e', 'd', 'a', 'c', 'f']);
    assert.deepEqual(pickOrder([], () => 'connected'), []);
  });
});
