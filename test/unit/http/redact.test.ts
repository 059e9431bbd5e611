import assert from 'node:assert/strict';
import { isSecretKey, REDACTED, Redactor } from '../../../src/core/http/redact';

describe('http/redact', () => {
  it('knows the secret keys, in any case', () => {
    for (const k of ['access_token', 'refresh_token', 'id_token', 'code', 'code_verifier', 'client_secret', 'client_assertion', 'Authorization', 'PROXY-AUTHORIZATION', 'cookie', 'Set-Cookie', 'registration_access_token']) {
      assert.equal(isSecretKey(k), true, k);
    }
    for (const k of ['client_id', 'grant_type', 'state', 'scope', 'redirect_uri', 'token_type', 'expires_in', 'content-type', 'www-authenticate', 'Mcp-Session-Id']) {
      assert.equal(isSecretKey(k), false, k);
    }
  });

  it('scrubs registered secret values by value, also percent- and form-encoded, longest first', () => {
    const r = new Redactor();
    r.addSecret('abc+/def==xyz');
    r.addSecret('short'); // under 8 characters: ignored, to avoid mangling ordinary text
    r.addSecret('SECRET-LONG-VALUE');
    r.addSecret('SECRET-LONG');
    r.addSecret(undefined);
    r.addSecret(null);
    assert.equal(r.text('a abc+/def==xyz b abc%2B%2Fdef%3D%3Dxyz c'), `a ${REDACTED} b ${REDACTED} c`);
    assert.equal(r.text('short stays'), 'short stays');
    assert.equal(r.text('x SECRET-LONG-VALUE y'), `x ${REDACTED} y`);
  });

  it('scrubs a secret added after earlier calls, and one added longer than those known, whole', () => {
    const r = new Redactor();
    assert.equal(r.text('nothing known yet: SECRET-LONG-VALUE'), 'nothing known yet: SECRET-LONG-VALUE');
    r.addSecret('SECRET-LONG');
    assert.equal(r.text('a SECRET-LONG-VALUE'), `a ${REDACTED}-VALUE`);
    r.addSecret('SECRET-LONG-VALUE'); // learnt later, longer: still removed whole, before the shorter one
    assert.equal(r.text('a SECRET-LONG-VALUE'), `a ${REDACTED}`);
    r.addSecret('SECRET-LONG'); // again: no change
    r.addSecret('zz+/zz==later');
    assert.equal(r.text('q=zz%2B%2Fzz%3D%3Dlater&r=zz+/zz==later'), `q=${REDACTED}&r=${REDACTED}`);
  });

  it('redacts URL query and fragment parameters, and the userinfo password', () => {
    const r = new Redactor();
    const u = r.url('https://user:p4ssw0rd@as.example/cb?code=C0DE-1&state=st&access_token=AT-1&code=C0DE-2#access_token=FRAG-AT&token_type=bearer');
    assert.equal(u, `https://user:${REDACTED}@as.example/cb?code=${REDACTED}&state=st&access_token=${REDACTED}&code=${REDACTED}#access_token=${REDACTED}&token_type=bearer`);
    assert.equal(r.url(new URL('https://as.example/a?x=1')), 'https://as.example/a?x=1', 'untouched without secrets');
    assert.equal(r.url('https://as.example/a#section'), 'https://as.example/a#section');
  });

  it('leaves an invalid URL to the value scrubber', () => {
    const r = new Redactor();
    r.addSecret('VALUE-SECRET-1');
    assert.equal(r.url('not a url VALUE-SECRET-1'), `not a url ${REDACTED}`);
  });

  it('keeps the Authorization scheme, hides the credentials; other secret headers fully; mcp-session-id is not a secret', () => {
    const r = new Redactor();
    r.addSecret('ECHO-SECRET-99');
    const h = new Headers({
      authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.payload.sig',
      'proxy-authorization': 'Basic dXNlcjpwYXNz',
      cookie: 'sid=abc',
      'mcp-session-id': 'sess-1',
      'x-echo': 'got ECHO-SECRET-99',
      accept: 'application/json',
    });
    assert.deepEqual(r.headers(h), {
      authorization: `Bearer ${REDACTED}`,
      'proxy-authorization': `Basic ${REDACTED}`,
      cookie: REDACTED,
      'mcp-session-id': 'sess-1',
      'x-echo': `got ${REDACTED}`,
      accept: 'application/json',
    });
    assert.deepEqual(r.headers({ Authorization: 'DPoP tok', Other: 'x' }), { Authorization: `DPoP ${REDACTED}`, Other: 'x' });
    assert.deepEqual(r.headers({ authorization: 'bare-token-no-scheme' }), { authorization: REDACTED });
    assert.deepEqual(r.headers(undefined), {});
  });

  it('mcp-session-id stays readable in headers and JSON; Authorization, Cookie and Set-Cookie stay redacted', () => {
    const r = new Redactor();
    assert.equal(isSecretKey('mcp-session-id'), false);
    assert.equal(isSecretKey('Mcp-Session-Id'), false);
    for (const k of ['authorization', 'Authorization', 'cookie', 'set-cookie', 'proxy-authorization']) assert.equal(isSecretKey(k), true, k);
    const h = new Headers({ 'Mcp-Session-Id': '5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b', authorization: 'Bearer tok-123456789', cookie: 'sid=s3cr3t-cookie', 'set-cookie': 'a=b-cookie' });
    assert.deepEqual(r.headers(h), {
      'mcp-session-id': '5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b',
      authorization: `Bearer ${REDACTED}`,
      cookie: REDACTED,
      'set-cookie': REDACTED,
    });
    assert.equal(r.header('mcp-session-id', 'abc-session'), 'abc-session');
    assert.equal(r.body('{"mcp-session-id":"abc-session-0001","access_token":"x"}'), '{"mcp-session-id":"abc-session-0001","access_token":"[REDACTED]"}');
  });

  it('redacts nested JSON by key, anywhere in the tree, and known values in strings', () => {
    const r = new Redactor();
    r.addSecret('VALUE-IN-STRING-1');
    const out = r.json({
      access_token: 'a',
      token_type: 'Bearer',
      nested: { refresh_token: 'r', list: [{ id_token: 'i' }, { client_secret: { deep: 1 } }, 'see VALUE-IN-STRING-1'] },
      code: null,
      n: 3,
      ok: true,
    });
    assert.deepEqual(out, {
      access_token: REDACTED,
      token_type: 'Bearer',
      nested: { refresh_token: REDACTED, list: [{ id_token: REDACTED }, { client_secret: REDACTED }, `see ${REDACTED}`] },
      code: null,
      n: 3,
      ok: true,
    });
  });

  it('stops at a depth limit instead of recursing forever', () => {
    let deep: unknown = { access_token: 'x' };
    for (let i = 0; i < 100; i++) deep = { d: deep };
    assert.doesNotThrow(() => JSON.stringify(new Redactor().json(deep)));
    assert.ok(!JSON.stringify(new Redactor().json(deep)).includes('"x"'));
  });

  it('redacts bodies: JSON, form (with or without a content type), and text', () => {
    const r = new Redactor();
    r.addSecret('TEXT-SECRET-123');
    assert.equal(r.body('{"access_token":"a","x":[{"code":"c"}]}', 'application/json'), `{"access_token":"${REDACTED}","x":[{"code":"${REDACTED}"}]}`);
    assert.equal(r.body(' [{"refresh_token":"r"}]', null), `[{"refresh_token":"${REDACTED}"}]`);
    assert.equal(
      r.body('grant_type=authorization_code&code=abc&code_verifier=v&client_secret=s&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb', 'application/x-www-form-urlencoded;charset=UTF-8'),
      `grant_type=authorization_code&code=${REDACTED}&code_verifier=${REDACTED}&client_secret=${REDACTED}&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb`,
    );
    assert.equal(r.body('grant_type=refresh_token&refresh_token=rt', undefined), `grant_type=refresh_token&refresh_token=${REDACTED}`);
    assert.equal(r.body('{"truncated": true, "access_token": "x\\"y", "id_token":"z', 'application/json'), `{"truncated": true, "access_token":"${REDACTED}", "id_token":"${REDACTED}"`);
    assert.deepEqual(JSON.parse(r.body('{"__proto__":{"access_token":"p"},"a":1}')), { ['__proto__']: { access_token: REDACTED }, a: 1 });
    assert.equal(r.body('plain text TEXT-SECRET-123 here', 'text/plain'), `plain text ${REDACTED} here`);
    assert.equal(r.body('a sentence = with spaces', null), 'a sentence = with spaces');
  });

  describe('fast paths give the same output as the full walk', () => {
    /** What body() returned before it skipped the copy: the full `json()` walk, serialised. */
    const viaWalk = (r: Redactor, text: string) => JSON.stringify(r.json(JSON.parse(text)));

    it('JSON bodies: the same string whether or not anything is redacted', () => {
      const r = new Redactor();
      const bodies = [
        '{"method":"tools/list","jsonrpc":"2.0","id":1}',
        '{ "spaced" : [1, 2.50, 1e3, true, null, "x"] }',
        '{"__proto__":{"a":1},"constructor":2}',
        '"just a string"',
        '[]',
        '{"code":null,"access_token":null}',
        '{"params":{"name":"x","arguments":{"token":"plain-looking"}}}',
      ];
      for (const b of bodies) assert.equal(r.body(b, 'application/json'), viaWalk(r, b), b);
      r.addSecret('SECRET-VALUE-42');
      for (const b of [...bodies, '{"a":"has SECRET-VALUE-42 in it"}', '{"SECRET-VALUE-42":1}']) assert.equal(r.body(b, 'application/json'), viaWalk(r, b), b);
    });

    it('a secret added after a body was redacted is caught in the next one', () => {
      const r = new Redactor();
      const body = '{"result":{"content":[{"type":"text","text":"echo LATE-SECRET-VALUE-7"}]}}';
      assert.equal(r.body(body, 'application/json'), body);
      r.addSecret('LATE-SECRET-VALUE-7');
      assert.equal(r.body(body, 'application/json'), `{"result":{"content":[{"type":"text","text":"echo ${REDACTED}"}]}}`);
    });

    it('a secret or a secret key hidden behind JSON escapes is still redacted', () => {
      const r = new Redactor();
      r.addSecret('ESCAPED-SECRET-9');
      // \u0045 is "E": the raw text does not contain the secret, the parsed string does.
      assert.equal(r.body('{"a":"x \\u0045SCAPED-SECRET-9 y"}', 'application/json'), `{"a":"x ${REDACTED} y"}`);
      assert.equal(r.body('{"a":"ESCAPED\\/SECRET-9"}', 'application/json'), '{"a":"ESCAPED/SECRET-9"}', 'a different value stays');
      assert.equal(r.body('{"k":{"\\u0045SCAPED-SECRET-9":1}}', 'application/json'), `{"k":{"${REDACTED}":1}}`, 'in a key');
      // \u0063ode is the key "code".
      assert.equal(r.body('{"\\u0063ode":"the-code-value"}', 'application/json'), `{"code":"${REDACTED}"}`);
      assert.equal(r.body('{"Access_Token":"mixed-case-key"}', 'application/json'), `{"Access_Token":"${REDACTED}"}`);
    });

    it('a value past the depth limit is still cut, with or without secrets', () => {
      const r = new Redactor();
      const deep = `${'['.repeat(40)}"plain"${']'.repeat(40)}`;
      const out = r.body(deep, 'application/json');
      assert.equal(out, viaWalk(r, deep));
      assert.ok(!out.includes('plain'));
      const ok = `${'['.repeat(33)}"plain"${']'.repeat(33)}`; // depth 33 holds the string: cut as well
      assert.equal(r.body(ok, 'application/json'), viaWalk(r, ok));
      const shallow = `${'['.repeat(32)}"plain"${']'.repeat(32)}`;
      assert.equal(r.body(shallow, 'application/json'), shallow);
    });

    it('text(): a string shorter than every known secret is returned as is; a shorter secret learnt later is caught', () => {
      const r = new Redactor();
      r.addSecret('A-LONG-SECRET-VALUE-0123456789');
      assert.equal(r.text('keep-alive'), 'keep-alive');
      r.addSecret('SHORT-12'); // shorter than anything known so far
      assert.equal(r.text('x SHORT-12'), `x ${REDACTED}`);
      assert.equal(r.text('SHORT-12'), REDACTED, 'exactly the length of the shortest spelling');
    });

    it('every printable ASCII character: a secret is caught as is, percent-encoded and form-encoded', () => {
      for (let c = 0x20; c < 0x7f; c++) {
        const secret = `SECRET-${String.fromCharCode(c)}-VALUE`;
        const r = new Redactor();
        r.addSecret(secret);
        const form = new URLSearchParams({ v: secret }).toString().slice(2);
        assert.equal(r.text(`a=${secret}`), `a=${REDACTED}`, secret);
        assert.equal(r.text(`a=${encodeURIComponent(secret)}`), `a=${REDACTED}`, `percent-encoded ${secret}`);
        assert.equal(r.text(`a=${form}`), `a=${REDACTED}`, `form-encoded ${secret}`);
      }
      const jwtLike = new Redactor();
      jwtLike.addSecret('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl-_x');
      assert.equal(jwtLike.text('Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl-_x'), `Bearer ${REDACTED}`);
    });

    it('url(): a URL object is never changed, and a known secret in its path is still scrubbed', () => {
      const r = new Redactor();
      const u = new URL('https://user:pw-secret@as.example/p?code=abc#access_token=t');
      assert.equal(r.url(u), `https://user:${REDACTED}@as.example/p?code=${REDACTED}#access_token=${REDACTED}`);
      assert.equal(u.href, 'https://user:pw-secret@as.example/p?code=abc#access_token=t', 'the caller\'s URL is untouched');
      const plain = new URL('https://as.example/resource/PATH-SECRET-123');
      assert.equal(r.url(plain), 'https://as.example/resource/PATH-SECRET-123');
      r.addSecret('PATH-SECRET-123'); // learnt after the first call
      assert.equal(r.url(plain), `https://as.example/resource/${REDACTED}`);
      assert.equal(r.url(new URL('https://as.example/a#frag')), 'https://as.example/a#frag');
    });
  });
});
