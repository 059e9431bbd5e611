import assert from 'node:assert/strict';
import { InspectorError } from '../../../src/core/errors';
import { admitUrl, createGuardedFetch } from '../../../src/core/http/guardedFetch';
import { Redactor } from '../../../src/core/http/redact';
import { Trace } from '../../../src/core/http/trace';
import { assertAddressAllowed, classifyAddress, type AddressClass, type AddressPolicy } from '../../../src/core/http/urlPolicy';
import { startServer, type LocalServer } from './localServer';

/** A fake resolver: names → addresses; anything else fails like ENOTFOUND. */
function fakeDns(map: Record<string, string[]>): { lookup: (h: string) => Promise<string[]>; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    lookup: async (h) => {
      asked.push(h);
      const r = map[h];
      if (!r) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${h}`), { code: 'ENOTFOUND' });
      return r;
    },
  };
}

const DNS = fakeDns({
  'mcp.public.example': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
  'as.public.example': ['104.16.0.1'],
  'internal.evil.example': ['10.0.0.1'],
  'mixed.evil.example': ['104.16.0.2', '192.168.1.1'],
  'meta.evil.example': ['169.254.169.254'],
  'loop.evil.example': ['127.0.0.1'],
  'v6meta.evil.example': ['fd00:ec2::254'],
  'mcp.lan.example': ['10.1.2.3'],
  'localhost': ['127.0.0.1', '::1'],
});

const publicPolicy = (): AddressPolicy => ({ trustedOrigin: new URL('https://mcp.public.example/mcp'), lookup: DNS.lookup });

async function refused(target: string, policy: AddressPolicy, cls?: AddressClass): Promise<InspectorError> {
  let caught: unknown;
  await assert.rejects(assertAddressAllowed(new URL(target), policy), (e: unknown) => {
    caught = e;
    return e instanceof InspectorError && e.code === 'address_refused';
  }, target);
  const err = caught as InspectorError;
  if (cls) assert.match(err.message, new RegExp(`a ${cls} address`), err.message);
  assert.ok(err.hint, 'has a hint');
  assert.equal(err.step, undefined);
  return err;
}

describe('http/urlPolicy classifyAddress', () => {
  const table: Array<[string, AddressClass]> = [
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.15.0.1', 'public'],
    ['172.32.0.1', 'public'],
    ['192.168.0.1', 'private'],
    ['100.64.0.1', 'private'],
    ['100.127.255.255', 'private'],
    ['100.63.255.255', 'public'],
    ['100.128.0.0', 'public'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['::ffff:10.0.0.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::169.254.169.254', 'link-local'],
    ['::a9fe:a9fe', 'link-local'],
    ['0:0:0:0:0:ffff:a9fe:a9fe', 'link-local'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:a9fe:a9fe::1', 'link-local'],
    ['fd00:ec2::254', 'link-local'], // AWS IMDS over IPv6
    ['100.100.100.200', 'link-local'], // Alibaba metadata
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['ff02::1', 'reserved'],
    ['8.8.8.8', 'public'],
    ['93.184.216.34', 'public'],
    ['::ffff:8.8.8.8', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['2002:0808:0808::1', 'public'],
  ];
  for (const [ip, cls] of table) {
    it(`${ip} → ${cls}`, () => assert.equal(classifyAddress(ip), cls));
  }
  it('refuses what is not an IP address', () => {
    assert.throws(() => classifyAddress('example.com'), InspectorError);
  });
});

describe('http/urlPolicy assertAddressAllowed', () => {
  it('public origin: every spelling of the cloud metadata address is refused', async () => {
    const spellings = [
      'http://169.254.169.254/latest/meta-data/',
      'http://2852039166/',
      'http://0251.0376.0251.0376/',
      'http://0251.254.169.254/',
      'http://0xa9fea9fe/',
      'http://0xa9.0xfe.0xa9.0xfe/',
      'http://169.254.43518/',
      'http://169.16689662/',
      'https://[::ffff:169.254.169.254]/',
      'https://[::ffff:a9fe:a9fe]/',
      'https://[0:0:0:0:0:ffff:a9fe:a9fe]/',
      'https://[::169.254.169.254]/',
      'https://[64:ff9b::169.254.169.254]/',
      'https://[fe80::1]/',
      'https://[fd00:ec2::254]/',
      'https://meta.evil.example/',
      'https://v6meta.evil.example/',
    ];
    for (const s of spellings) await refused(s, publicPolicy(), 'link-local');
  });

  it('public origin: loopback in every spelling, private, unspecified and reserved are refused', async () => {
    for (const s of ['http://127.0.0.1/', 'http://127.1/', 'http://2130706433/', 'http://0x7f000001/', 'http://0177.0.0.1/', 'http://[::1]/', 'http://[::ffff:127.0.0.1]/', 'http://localhost/', 'https://loop.evil.example/']) {
      await refused(s, publicPolicy(), 'loopback');
    }
    for (const s of ['https://10.0.0.1/', 'https://172.16.5.4/', 'https://192.168.1.1/', 'https://100.64.1.1/', 'https://[fd00::1]/', 'https://[::ffff:10.0.0.1]/', 'https://167772161/']) {
      await refused(s, publicPolicy(), 'private');
    }
    await refused('http://0.0.0.0/', publicPolicy(), 'unspecified');
    await refused('http://0/', publicPolicy(), 'unspecified');
    await refused('https://[::]/', publicPolicy(), 'unspecified');
    await refused('https://224.0.0.1/', publicPolicy(), 'reserved');
  });

  it('public origin: a host name resolving to a private address is refused (no real DNS), naming host, class and address', async () => {
    const err = await refused('https://internal.evil.example/.well-known/oauth-authorization-server', publicPolicy(), 'private');
    assert.match(err.message, /internal\.evil\.example resolves to a private address \(10\.0\.0\.1\)/);
    assert.match(err.message, /public address \(mcp\.public\.example\)/);
  });

  it('every resolved address must be allowed, not just the first', async () => {
    await refused('https://mixed.evil.example/', publicPolicy(), 'private');
  });

  it('public origin: public targets are allowed', async () => {
    await assertAddressAllowed(new URL('https://as.public.example/token'), publicPolicy());
    await assertAddressAllowed(new URL('https://8.8.8.8/'), publicPolicy());
    await assertAddressAllowed(new URL('https://[2606:4700:4700::1111]/'), publicPolicy());
  });

  it('the trusted origin host itself is always allowed', async () => {
    await assertAddressAllowed(new URL('https://mcp.public.example/other'), publicPolicy());
    await assertAddressAllowed(new URL('http://169.254.1.1:8080/mcp'), { trustedOrigin: new URL('http://169.254.1.1:8080/') });
  });

  it('loopback origin may reach loopback, private and public, never link-local', async () => {
    for (const origin of ['http://127.0.0.1:3000/mcp', 'http://[::1]:3000/', 'http://localhost:3000/']) {
      const policy: AddressPolicy = { trustedOrigin: new URL(origin), lookup: DNS.lookup };
      for (const ok of ['http://127.0.0.1:9000/', 'http://localhost:9000/', 'http://[::1]/', 'https://10.0.0.1/', 'https://internal.evil.example/', 'https://as.public.example/', 'http://0.0.0.0:3000/']) {
        await assertAddressAllowed(new URL(ok), policy);
      }
      await refused('http://169.254.169.254/', policy, 'link-local');
      await refused('http://0xa9fea9fe/', policy, 'link-local');
      await refused('https://meta.evil.example/', policy, 'link-local');
    }
  });

  it('private origin may reach private and public, not loopback, not link-local', async () => {
    for (const origin of ['https://10.1.2.3/mcp', 'https://mcp.lan.example/mcp']) {
      const policy: AddressPolicy = { trustedOrigin: new URL(origin), lookup: DNS.lookup };
      await assertAddressAllowed(new URL('https://192.168.1.10/'), policy);
      await assertAddressAllowed(new URL('https://internal.evil.example/'), policy);
      await assertAddressAllowed(new URL('https://as.public.example/'), policy);
      await refused('http://127.0.0.1/', policy, 'loopback');
      await refused('http://169.254.169.254/', policy, 'link-local');
      await refused('http://2852039166/', policy, 'link-local');
      await refused('https://[fd00:ec2::254]/', policy, 'link-local');
    }
  });

  it('link-local origin may reach link-local and public only', async () => {
    const policy: AddressPolicy = { trustedOrigin: new URL('http://169.254.10.10/'), lookup: DNS.lookup };
    await assertAddressAllowed(new URL('http://169.254.169.254/'), policy);
    await assertAddressAllowed(new URL('https://as.public.example/'), policy);
    await refused('https://10.0.0.1/', policy, 'private');
    await refused('http://127.0.0.1/', policy, 'loopback');
  });

  it('a trusted origin that resolves to public and private addresses gets only what both may reach', async () => {
    const dns = fakeDns({ 'split.example': ['8.8.4.4', '10.9.9.9'] });
    await refused('https://10.0.0.1/', { trustedOrigin: new URL('https://split.example/'), lookup: dns.lookup }, 'private');
  });

  it('a trusted origin that does not resolve is treated as public', async () => {
    const dns = fakeDns({});
    await refused('https://10.0.0.1/', { trustedOrigin: new URL('https://gone.example/'), lookup: dns.lookup }, 'private');
  });

  it('a target name that does not resolve → network_error', async () => {
    await assert.rejects(assertAddressAllowed(new URL('https://nowhere.example/'), publicPolicy()), (e: unknown) => e instanceof InspectorError && e.code === 'network_error' && /nowhere\.example/.test(e.message));
  });
});

describe('http/guardedFetch address policy end to end', () => {
  let server: LocalServer;
  before(async () => {
    server = await startServer((_req, res) => res.end('{"ok":true}'));
  });
  after(() => server.close());
  afterEach(() => {
    server.requests.length = 0;
  });

  it('a public MCP server cannot steer the client to this machine in any spelling: refused, traced, nothing sent', async () => {
    let calls = 0;
    const trace = new Trace();
    const gf = createGuardedFetch({
      policy: { ...publicPolicy(), allowHttpHosts: ['loop.evil.example'] },
      trace,
      redactor: new Redactor(),
      fetchImpl: (...a) => {
        calls++;
        return fetch(...a);
      },
    });
    const p = server.port;
    const targets = [
      `http://127.0.0.1:${p}/.well-known/oauth-authorization-server`,
      `http://127.1:${p}/`,
      `http://2130706433:${p}/`,
      `http://0x7f000001:${p}/`,
      `http://0177.0.0.01:${p}/`,
      `http://[::ffff:127.0.0.1]:${p}/`,
      `http://localhost:${p}/`,
      `http://loop.evil.example:${p}/`,
    ];
    for (const t of targets) {
      await assert.rejects(gf(t, { purpose: 'as-metadata', step: 'authorization server metadata' }), (e: unknown) => e instanceof InspectorError && e.code === 'address_refused', t);
    }
    assert.equal(calls, 0);
    assert.equal(server.requests.length, 0);
    const codes = trace.all().map((e) => (e.kind === 'http' ? e.error?.code : undefined));
    assert.deepEqual(codes, targets.map(() => 'address_refused'));
  });

  it('a loopback MCP server may point to loopback: the request goes through', async () => {
    const gf = createGuardedFetch({ policy: { trustedOrigin: new URL(`http://localhost:${server.port}/mcp`) }, trace: new Trace(), redactor: new Redactor() });
    const res = await gf(`http://127.1:${server.port}/meta`, { purpose: 'as-metadata' });
    assert.deepEqual(await res.json(), { ok: true });
    assert.equal(server.requests.length, 1);
  });

  it('a same-origin redirect into a refused address class is refused too', async () => {
    // The trusted origin is the local server under a name; a hostile redirect to a link-local
    // host on the same origin cannot happen (same origin = same host), so the check that matters
    // is the first hop: covered above. Here: the redirect hop is re-checked.
    const redirecting = await startServer((_req, res) => {
      res.writeHead(302, { location: '/next' }).end();
    });
    try {
      const dns = fakeDns({ 'rebind.evil.example': ['127.0.0.1'] });
      let n = 0;
      const lookup = async (h: string) => (h === 'rebind.evil.example' && n++ > 0 ? ['169.254.169.254'] : dns.lookup(h));
      const gf = createGuardedFetch({
        policy: { trustedOrigin: new URL(`http://127.0.0.1:${server.port}/`), allowHttpHosts: ['rebind.evil.example'], lookup },
        trace: new Trace(),
        redactor: new Redactor(),
        fetchImpl: (url, init) => fetch(String(url).replace('rebind.evil.example', '127.0.0.1'), init),
      });
      await assert.rejects(gf(`http://rebind.evil.example:${redirecting.port}/start`, { purpose: 'as-metadata' }), (e: unknown) => e instanceof InspectorError && e.code === 'address_refused');
      assert.equal(redirecting.requests.length, 1, 'only the first hop was sent');
    } finally {
      await redirecting.close();
    }
  });
});

describe('http/urlPolicy: the document that named a URL is judged too', () => {
  // The common developer setup: the MCP server on this machine, its authorization server hosted.
  const loopbackPolicy = (lookup = DNS.lookup): AddressPolicy => ({ trustedOrigin: new URL('http://127.0.0.1:3000/mcp'), lookup });
  const publicAsDoc = { document: new URL('https://as.public.example/.well-known/oauth-authorization-server'), field: 'token_endpoint' };

  async function refusedFrom(target: string, policy: AddressPolicy, source: { document: URL; field: string }, cls: AddressClass): Promise<InspectorError> {
    let caught: unknown;
    await assert.rejects(assertAddressAllowed(new URL(target), policy, { step: 'authorization server metadata', source }), (e: unknown) => {
      caught = e;
      return e instanceof InspectorError && e.code === 'address_refused';
    }, target);
    const err = caught as InspectorError;
    assert.equal(err.step, 'authorization server metadata');
    assert.equal(err.field, source.field);
    assert.equal(err.url, new URL(target).origin);
    assert.match(err.message, new RegExp(`a ${cls} address`), err.message);
    assert.ok(err.message.includes(`${source.field} in ${source.document.origin}${source.document.pathname} is refused`), err.message);
    assert.ok(err.message.startsWith('authorization server metadata: '), err.message);
    assert.ok(err.hint, 'has a hint');
    return err;
  }

  it('public metadata may not point to loopback, private or link-local, even when the MCP server is on loopback', async () => {
    for (const t of ['http://127.0.0.1:9000/token', 'http://localhost:9000/token', 'http://[::1]/token', 'http://2130706433/', 'https://loop.evil.example/token']) {
      const err = await refusedFrom(t, loopbackPolicy(), publicAsDoc, 'loopback');
      assert.match(err.message, /public address \(as\.public\.example\)/);
    }
    await refusedFrom('https://10.0.0.1/token', loopbackPolicy(), publicAsDoc, 'private');
    await refusedFrom('https://internal.evil.example/token', loopbackPolicy(), publicAsDoc, 'private');
    await refusedFrom('http://169.254.169.254/latest/meta-data/', loopbackPolicy(), { ...publicAsDoc, field: 'jwks_uri' }, 'link-local');
    await refusedFrom('http://0.0.0.0:3000/', loopbackPolicy(), publicAsDoc, 'unspecified');
  });

  it('not even to the MCP server\'s own loopback host (another port there is another service)', async () => {
    await refusedFrom('http://127.0.0.1:6379/', loopbackPolicy(), { ...publicAsDoc, field: 'registration_endpoint' }, 'loopback');
  });

  it('loopback metadata may point to loopback; public metadata to public and to its own host', async () => {
    const loopDoc = { document: new URL('http://localhost:9000/.well-known/oauth-authorization-server'), field: 'token_endpoint' };
    await assertAddressAllowed(new URL('http://127.0.0.1:9001/token'), loopbackPolicy(), { source: loopDoc });
    await assertAddressAllowed(new URL('http://localhost:9000/token'), loopbackPolicy(), { source: loopDoc });
    await assertAddressAllowed(new URL('https://as.public.example/token'), loopbackPolicy(), { source: publicAsDoc });
    await assertAddressAllowed(new URL('https://mcp.public.example/jwks'), loopbackPolicy(), { source: publicAsDoc });
  });

  it('a document host that resolved to a public address is judged as public even if it later resolves to loopback', async () => {
    let rebound = false;
    const lookup = async (h: string) => (h === 'as.rebind.example' ? (rebound ? ['127.0.0.1'] : ['104.16.0.9']) : DNS.lookup(h));
    const policy = loopbackPolicy(lookup);
    // the client reaches the document's host (a public address at the time) ...
    await assertAddressAllowed(new URL('https://as.rebind.example/.well-known/oauth-authorization-server'), policy);
    rebound = true;
    // ... then the name answers 127.0.0.1: the document still speaks for a public host
    await refusedFrom('http://127.0.0.1:9000/token', policy, { document: new URL('https://as.rebind.example/.well-known/oauth-authorization-server'), field: 'token_endpoint' }, 'loopback');
  });

  it('the MCP server\'s own rule still applies: a loopback document cannot open link-local for it', async () => {
    const loopDoc = { document: new URL('http://localhost:9000/.well-known/oauth-authorization-server'), field: 'jwks_uri' };
    await assert.rejects(assertAddressAllowed(new URL('http://169.254.169.254/'), loopbackPolicy(), { step: 'authorization server metadata', source: loopDoc }), (e: unknown) =>
      e instanceof InspectorError && e.code === 'address_refused' && e.field === 'jwks_uri' && /127\.0\.0\.1:3000/.test(e.message),
    );
  });
});

describe('http/guardedFetch: sources of URLs', () => {
  let server: LocalServer;
  before(async () => {
    server = await startServer((_req, res) => res.end('{"keys":[]}'));
  });
  after(() => server.close());
  afterEach(() => {
    server.requests.length = 0;
  });

  function loopbackFetch(lookup: (h: string) => Promise<string[]>) {
    const trace = new Trace();
    let calls = 0;
    const gf = createGuardedFetch({
      policy: { trustedOrigin: new URL(`http://127.0.0.1:${server.port}/mcp`), lookup },
      trace,
      redactor: new Redactor(),
      fetchImpl: (...a) => {
        calls++;
        return fetch(...a);
      },
    });
    return { gf, trace, calls: () => calls };
  }

  it('a request with a public source to this machine is refused, names step and field, and sends nothing', async () => {
    const { gf, trace, calls } = loopbackFetch(DNS.lookup);
    const source = { document: new URL('https://as.public.example/.well-known/oauth-authorization-server'), field: 'jwks_uri' };
    await assert.rejects(gf(`http://127.0.0.1:${server.port}/jwks`, { purpose: 'jwks', step: 'JWKS (token signature)', source }), (e: unknown) =>
      e instanceof InspectorError && e.code === 'address_refused' && e.step === 'JWKS (token signature)' && e.field === 'jwks_uri' && /jwks_uri in https:\/\/as\.public\.example/.test(e.message),
    );
    assert.equal(calls(), 0);
    assert.equal(server.requests.length, 0);
    const entry = trace.all().find((e) => e.kind === 'http') as { error?: { code: string; message: string } };
    assert.equal(entry.error?.code, 'address_refused');
    assert.match(entry.error!.message, /jwks_uri/);
    // without a source the same URL is the loopback server's own business: allowed
    const res = await gf(`http://127.0.0.1:${server.port}/jwks`, { purpose: 'jwks' });
    assert.equal(res.status, 200);
  });

  it('admitUrl remembers the source: a later request to that URL (by any module) is judged by it again', async () => {
    let target = ['104.16.0.7'];
    const lookup = async (h: string) => (h === 'keys.public.example' ? target : DNS.lookup(h));
    const { gf, calls } = loopbackFetch(lookup);
    const source = { document: new URL('https://as.public.example/.well-known/oauth-authorization-server'), field: 'jwks_uri' };
    const url = await admitUrl(gf, 'https://keys.public.example/jwks', 'jwks_uri', source, 'authorization server metadata');
    assert.equal(url.href, 'https://keys.public.example/jwks');
    // the name now answers loopback: the MCP server alone (loopback) would allow it; the document does not
    target = ['127.0.0.1'];
    await assert.rejects(gf('https://keys.public.example/jwks#x', { purpose: 'jwks', step: 'JWKS (token signature)' }), (e: unknown) =>
      e instanceof InspectorError && e.code === 'address_refused' && e.field === 'jwks_uri' && e.step === 'JWKS (token signature)',
    );
    assert.equal(calls(), 0);
  });

  it('admitUrl refuses before anything is fetched, with step, field and URL; refuses a fetch it did not create', async () => {
    const { gf, calls } = loopbackFetch(DNS.lookup);
    const source = { document: new URL('https://as.public.example/.well-known/oauth-authorization-server'), field: 'token_endpoint' };
    await assert.rejects(admitUrl(gf, `http://127.0.0.1:${server.port}/token`, 'token_endpoint', source, 'authorization server metadata'), (e: unknown) =>
      e instanceof InspectorError && e.code === 'address_refused' && e.step === 'authorization server metadata' && e.field === 'token_endpoint' && e.url === `http://127.0.0.1:${server.port}`,
    );
    await assert.rejects(admitUrl(gf, 'javascript:alert(1)', 'token_endpoint', source, 'authorization server metadata'), (e: unknown) =>
      e instanceof InspectorError && e.code === 'url_scheme_refused' && e.field === 'token_endpoint' && e.step === 'authorization server metadata',
    );
    assert.equal(calls(), 0);
    assert.equal(server.requests.length, 0);
    assert.throws(() => admitUrl((u, i) => gf(u, i), 'https://as.public.example/', 'x', source, 'MCP s'), (e: unknown) => e instanceof InspectorError && e.code === 'internal');
  });
});
