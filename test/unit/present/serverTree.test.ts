/**
 * The Servers view's children for a server, by state (src/present/serverTree.ts), and the "Server"
 * node's rows from the initialize result (src/present/serverInfo.ts). A server that is not
 * connected showed nothing when expanded; the initialize result was nowhere in the tree.
 */
import assert from 'node:assert/strict';
import { capabilityList, initializeView, oneLine, serverInfoRows } from '../../../src/present/serverInfo';
import { CONNECT_LABEL, LAST_ERROR_LABEL, lastErrorRow, serverChildren, type ServerChildrenInput } from '../../../src/present/serverTree';

const base: ServerChildrenInput = { state: 'disconnected', initialized: false, hasAuth: false, tools: 0, resources: 0, prompts: 0 };

describe('present/serverTree: what a server node shows', () => {
  it('not connected: a Connect child, never nothing', () => {
    assert.deepEqual(serverChildren(base), ['connect']);
    assert.equal(CONNECT_LABEL, 'Connect');
  });

  it('the last attempt failed: Connect, then the last error (error and sign-in-required); the auth node stays when there is one', () => {
    assert.deepEqual(serverChildren({ ...base, state: 'error', errorCode: 'network_error' }), ['connect', 'lastError']);
    assert.deepEqual(serverChildren({ ...base, state: 'sign-in-required', errorCode: 'authorization_cancelled', hasAuth: true }), ['connect', 'lastError', 'auth']);
    assert.deepEqual(serverChildren({ ...base, state: 'error' }), ['connect'], 'no code: no error row');
    assert.deepEqual(serverChildren({ ...base, state: 'disconnected', errorCode: 'internal' }), ['connect'], 'a plain disconnect is no failure');
  });

  it('connecting: says so, no Connect to press twice', () => {
    assert.deepEqual(serverChildren({ ...base, state: 'connecting' }), ['connecting']);
  });

  it('connected: the Server node first, then auth, tools, resources, prompts; no Connect', () => {
    assert.deepEqual(serverChildren({ ...base, state: 'connected', initialized: true, hasAuth: true, tools: 3, resources: 1, prompts: 1 }), ['serverInfo', 'auth', 'tools', 'resources', 'prompts']);
    assert.deepEqual(serverChildren({ ...base, state: 'connected', initialized: true }), ['serverInfo']);
  });

  it('the last error row: code and a one-line short message; the whole message (as text) in the tooltip', () => {
    const long = `MCP initialize: could not reach the server: connect ECONNREFUSED 127.0.0.1:5080\n<img src=x onerror=alert(1)>\u001b[31m ${'x'.repeat(300)}`;
    const row = lastErrorRow('network_error', long);
    assert.equal(row.label, LAST_ERROR_LABEL);
    assert.equal(row.label, 'Last error');
    assert.ok(row.value.startsWith('network_error — MCP initialize: could not reach the server'), row.value);
    assert.ok(!row.value.includes('\n') && !row.value.includes('\u001b'), 'one line, no controls');
    assert.ok(row.value.length <= 170, `short: ${row.value.length}`);
    assert.ok(row.tooltip.includes('<img src=x onerror=alert(1)>'), 'markup kept as text');
    assert.ok(!row.tooltip.includes('\u001b'));
  });
});

describe('present/serverInfo: the initialize result', () => {
  const init = {
    protocolVersion: '2025-06-18',
    serverInfo: { name: 'todo-server', version: '1.2.3', title: 'Todo <b>Server</b>' },
    capabilities: { tools: { listChanged: true }, resources: { subscribe: true, listChanged: false }, logging: {}, bogus: 'not an object' },
    instructions: 'Line one\nLine two\u202e reversed',
  };

  it('capabilities as "name (flags)", only object-valued ones', () => {
    assert.deepEqual(capabilityList(init.capabilities), ['tools (listChanged)', 'resources (subscribe)', 'logging']);
    assert.deepEqual(capabilityList(undefined), []);
  });

  it('the Server node rows: Protocol version, Name, Capabilities, Instructions', () => {
    const v = initializeView(init)!;
    assert.equal(v.instructions, 'Line one\nLine two reversed', 'bidi overrides dropped, lines kept');
    const rows = serverInfoRows(v);
    assert.deepEqual(
      rows.map((r) => [r.label, r.value]),
      [
        ['Protocol version', '2025-06-18'],
        ['Name', 'todo-server 1.2.3'],
        ['Capabilities', 'tools (listChanged), resources (subscribe), logging'],
        ['Instructions', 'Line one ⏎ Line two reversed'],
      ],
    );
    assert.equal(rows[1].tooltip, 'Todo <b>Server</b> — todo-server 1.2.3');
    assert.equal(rows[3].tooltip, 'Line one\nLine two reversed');
  });

  it('the era and how it was negotiated: in the Protocol version row and the view', () => {
    const modern = initializeView({ ...init, protocolVersion: '2026-07-28', era: 'stateless-2026', negotiatedBy: 'discover' })!;
    assert.equal(modern.negotiation, 'stateless (2026-07-28 era), by server/discover');
    assert.equal(serverInfoRows(modern)[0].value, '2026-07-28 · stateless (2026-07-28 era), by server/discover');
    const legacy = initializeView({ ...init, era: 'session', negotiatedBy: 'initialize' })!;
    assert.equal(serverInfoRows(legacy)[0].value, '2025-06-18 · session (initialize era), by initialize');
    assert.equal(initializeView(init)!.negotiation, undefined, 'no era known: nothing claimed');
  });

  it('nothing given: says so instead of blank rows; undefined before initialize', () => {
    assert.equal(initializeView(undefined), undefined);
    const rows = serverInfoRows(initializeView({})!);
    assert.deepEqual(rows.map((r) => r.value), ['(not negotiated)', '(not given)', '(none)', '(none)']);
  });

  it('hostile values: capped, one line, no controls', () => {
    const v = initializeView({ serverInfo: { name: `evil\n[info] forged line\u0007${'n'.repeat(500)}`, version: '1' }, instructions: 'i'.repeat(20_000) })!;
    assert.ok(!v.serverName!.includes('\n') && !v.serverName!.includes('\u0007'));
    assert.ok(v.serverName!.length <= 200);
    assert.ok(v.instructions!.length < 8_100);
    assert.equal(oneLine('a\r\nb\tc'), 'a ⏎ b c');
  });
});
