import { strict as assert } from 'node:assert';
import { createGuardedFetch } from '../../../src/core/http/guardedFetch';
import { Redactor } from '../../../src/core/http/redact';
import { Trace } from '../../../src/core/http/trace';
import { elicitationFields, elicitationHandler, type ElicitField, type ElicitationUi } from '../../../src/core/mcp/elicitation';
import { McpSession } from '../../../src/core/mcp/session';
import type { Logger } from '../../../src/core/ports';
import { startMcpServer, type McpFixture } from '../../fixtures/mcpServers';

const quiet: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** A scripted user: answers the intro with `intro`, then each field from `answers` (by name). */
function scripted(intro: 'accept' | 'decline' | 'cancel', answers: Record<string, string | number | boolean | string[] | undefined | null> = {}) {
  const seen: { intro?: string; fields: string[]; unsupported: string[] } = { fields: [], unsupported: [] };
  const ui: ElicitationUi = {
    intro: async (message) => {
      seen.intro = message;
      return intro;
    },
    ask: async (f: ElicitField) => {
      seen.fields.push(f.name);
      return answers[f.name];
    },
    unsupported: (why) => void seen.unsupported.push(why),
  };
  return { ui, seen };
}

describe('mcp/elicitation: form-mode requests as fields a person can answer', () => {
  const schema = {
    type: 'object',
    properties: {
      email: { type: 'string', title: 'Email', description: 'Where to send it', format: 'email' },
      name: { type: 'string', minLength: 2, maxLength: 5, default: 'Ada' },
      age: { type: 'integer', minimum: 0, maximum: 150 },
      ratio: { type: 'number', maximum: 1 },
      color: { type: 'string', enum: ['r', 'g'], enumNames: ['Red', 'Green'], default: 'g' },
      size: { type: 'string', oneOf: [{ const: 's', title: 'Small' }, { const: 'l', title: 'Large' }] },
      tags: { type: 'array', items: { type: 'string', enum: ['a', 'b', 'c'] }, minItems: 1, maxItems: 2, default: ['a'] },
      ok: { type: 'boolean', default: true },
      when: { type: 'string', format: 'date' },
    },
    required: ['email', 'age'],
  };

  it('every primitive kind of the spec becomes a field with its label, choices, default and requiredness', () => {
    const { fields, unsupported } = elicitationFields(schema);
    assert.deepEqual(unsupported, []);
    const by = new Map(fields.map((f) => [f.name, f]));
    assert.deepEqual(fields.map((f) => f.name), Object.keys(schema.properties), 'in the schema order');
    assert.equal(by.get('email')!.label, 'Email');
    assert.equal(by.get('email')!.description, 'Where to send it');
    assert.equal(by.get('email')!.required, true);
    assert.equal(by.get('name')!.label, 'name', 'no title: the property name');
    assert.equal(by.get('name')!.default, 'Ada');
    assert.equal(by.get('age')!.kind, 'integer');
    assert.equal(by.get('ratio')!.kind, 'number');
    assert.deepEqual(by.get('color')!.options, [
      { value: 'r', label: 'Red' },
      { value: 'g', label: 'Green' },
    ]);
    assert.equal(by.get('color')!.kind, 'choice');
    assert.deepEqual(by.get('size')!.options!.map((o) => o.label), ['Small', 'Large']);
    assert.equal(by.get('tags')!.kind, 'multi');
    assert.deepEqual(by.get('tags')!.default, ['a']);
    assert.equal(by.get('tags')!.maxItems, 2);
    assert.equal(by.get('ok')!.kind, 'boolean');
    assert.equal(by.get('ok')!.default, true);
  });

  it("typed text is checked against the schema's constraints and parsed to the right type", () => {
    const by = new Map(elicitationFields(schema).fields.map((f) => [f.name, f]));
    const email = by.get('email')!;
    assert.match(email.check('not-an-email') ?? '', /email/i);
    assert.equal(email.check('ada@example.com'), undefined);
    const name = by.get('name')!;
    assert.match(name.check('A') ?? '', /at least 2/i);
    assert.match(name.check('Adelaide') ?? '', /at most 5/i);
    const age = by.get('age')!;
    assert.match(age.check('4.5') ?? '', /whole/i);
    assert.match(age.check('-1') ?? '', /at least 0/i);
    assert.match(age.check('abc') ?? '', /number/i);
    assert.equal(age.check('42'), undefined);
    assert.equal(age.parse(' 42 '), 42);
    assert.match(by.get('ratio')!.check('1.5') ?? '', /at most 1/i);
    assert.equal(by.get('ratio')!.parse('0.25'), 0.25);
    assert.match(by.get('when')!.check('2026-13-45') ?? '', /YYYY-MM-DD/);
    assert.equal(by.get('when')!.check('2026-12-01'), undefined);
  });

  it('shapes the spec does not allow (nested objects, free-text arrays) are named as unsupported; hostile keys are plain names', () => {
    const { fields, unsupported } = elicitationFields({
      type: 'object',
      properties: { nested: { type: 'object', properties: {} }, list: { type: 'array', items: { type: 'string' } }, __proto__: { type: 'string' }, fine: { type: 'string' } },
    });
    assert.deepEqual(unsupported, ['nested', 'list']);
    assert.deepEqual(fields.map((f) => f.name), ['fine'], 'a literal __proto__ key in an object literal is no own property');
    assert.deepEqual(elicitationFields(null), { fields: [], unsupported: [] });
    const proto = elicitationFields(JSON.parse('{"type":"object","properties":{"__proto__":{"type":"string","title":"<b>x</b>"}}}'));
    assert.equal(proto.fields[0].name, '__proto__');
    assert.equal(proto.fields[0].label, '<b>x</b>', 'labels are returned as text for the front end to show as text');
    assert.equal(({} as Record<string, unknown>).type, undefined, 'no prototype was touched');
  });

  it('the handler: accept collects each answered field, leaves skipped optional ones out; decline and cancel answer so', async () => {
    const req = { mode: 'form' as const, message: 'Your details', requestedSchema: { type: 'object' as const, properties: { a: { type: 'string' as const }, b: { type: 'integer' as const } } } };
    const yes = scripted('accept', { a: 'x', b: undefined });
    assert.deepEqual(await elicitationHandler(yes.ui)(req), { action: 'accept', content: { a: 'x' } });
    assert.equal(yes.seen.intro, 'Your details');
    assert.deepEqual(yes.seen.fields, ['a', 'b']);
    assert.deepEqual(await elicitationHandler(scripted('decline').ui)(req), { action: 'decline' });
    assert.deepEqual(await elicitationHandler(scripted('cancel').ui)(req), { action: 'cancel' });
    const gaveUp = scripted('accept', { a: null, b: 3 });
    assert.deepEqual(await elicitationHandler(gaveUp.ui)(req), { action: 'cancel' }, 'giving up on a field cancels the whole request');
    assert.deepEqual(gaveUp.seen.fields, ['a'], 'and asks nothing more');
  });

  it('URL mode and unsupported fields are declined with a reason, nothing asked', async () => {
    const url = scripted('accept');
    const r = await elicitationHandler(url.ui)({ mode: 'url', message: 'Open this', url: 'javascript:alert(1)', elicitationId: 'e1' } as never);
    assert.deepEqual(r, { action: 'decline' });
    assert.match(url.seen.unsupported[0], /URL/);
    assert.equal(url.seen.intro, undefined, 'no question shown');
    const nested = scripted('accept');
    assert.deepEqual(await elicitationHandler(nested.ui)({ message: 'x', requestedSchema: { type: 'object', properties: { o: { type: 'object' } } } } as never), { action: 'decline' });
    assert.match(nested.seen.unsupported[0], /\bo\b/);
  });

  describe('through a real session (the SDK server elicits during tools/call)', () => {
    let fx: McpFixture | undefined;
    let session: McpSession | undefined;
    afterEach(async () => {
      await session?.close();
      await fx?.close();
    });

    it("the person's answers reach the server; defaults fill what they left empty", async () => {
      fx = await startMcpServer();
      const user = scripted('accept', { name: 'Grace', count: 7, color: undefined, subscribed: false });
      const fetch = createGuardedFetch({ policy: { trustedOrigin: fx.url }, trace: new Trace(), redactor: new Redactor(), timeoutMs: 5000 });
      session = new McpSession({ target: { kind: 'http', url: fx.url }, fetch, logger: quiet, onElicit: elicitationHandler(user.ui) });
      await session.connect();
      const r = await session.callTool('ask');
      const answer = JSON.parse(r.content.map((c) => (c as { text?: string }).text ?? '').join(''));
      assert.deepEqual(answer, { action: 'accept', content: { name: 'Grace', count: 7, color: 'green', subscribed: false } });
      assert.deepEqual(user.seen.fields, ['name', 'count', 'color', 'subscribed']);
    });
  });
});
