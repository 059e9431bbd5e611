/**
 * `audit --other-resource URL`: checked before anything is contacted (an absolute http(s) URL without
 * a fragment, RFC 8707 §2, and not the server under audit), listed in the help, and handed to the
 * audit: the resource-server probe asks the authorization server for a token for that resource.
 */
import { strict as assert } from 'node:assert';
import { auditCommand, AUDIT_USAGE, checkOtherResource } from '../../../src/cli/audit';
import { useOAuthFixtures } from '../../fixtures/oauthFixture';

function io(): { stdout: (s: string) => void; stderr: (s: string) => void; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (s) => void out.push(s), stderr: (s) => void err.push(s) };
}

describe('CLI audit --other-resource', function () {
  this.timeout(60_000);
  const { fixture } = useOAuthFixtures();

  it('accepts another http(s) resource; refuses a relative URL, another scheme, a fragment, credentials and the audited server itself', () => {
    const server = 'https://mcp.example.com/mcp';
    assert.equal(checkOtherResource('https://api.example.com/other', server), 'https://api.example.com/other');
    assert.equal(checkOtherResource('http://127.0.0.1:9/x', server), 'http://127.0.0.1:9/x');
    for (const [value, words] of [
      ['other', /absolute URL/],
      ['javascript:alert(1)', /http or https/],
      ['https://api.example.com/x#frag', /fragment/],
      ['https://api.example.com/x#', /fragment/],
      ['https://u:p@api.example.com/x', /user name or password/],
      ['https://mcp.example.com/mcp/', /another resource/],
      ['https://MCP.example.com:443/mcp', /another resource/],
    ] as const) {
      const r = checkOtherResource(value, server);
      assert.ok(typeof r === 'object', `${value} refused`);
      assert.match(r.error, words);
    }
  });

  it('a bad value is a usage error (exit 2) before any request; the help names the option', async () => {
    const fx = await fixture({ requiredScopes: ['mcp'] });
    const before = fx.requests.length;
    const o = io();
    assert.equal(await auditCommand([fx.mcpUrl, '--headless', '--other-resource', 'not a url'], o), 2);
    assert.match(o.err.join(''), /error: --other-resource takes an absolute URL/);
    assert.equal(fx.requests.length, before, 'nothing contacted');
    assert.match(AUDIT_USAGE, /--other-resource <url>/);
  });

  it('the named resource is the one the other-resource probe asks a token for', async () => {
    const fx = await fixture({ requiredScopes: ['mcp'] });
    const other = 'http://127.0.0.1:9/another-mcp';
    const o = io();
    const code = await auditCommand([fx.mcpUrl, '--headless', '--only', 'resource-server', '--other-resource', other, '--trace', '--json', '--timeout', '5000'], o);
    assert.ok(code === 0 || code === 1, o.err.join(''));
    assert.ok(o.err.join('').includes(`for resource ${other}`), o.err.join(''));
    const report = JSON.parse(o.out.join('')) as { checks: Array<{ id: string }> };
    assert.ok(report.checks.some((c) => c.id === 'resource-server.other-resource'));
  });
});
