/**
 * The tools panel's form model (webview-ui/form/schema.ts and form/draft.ts), DOM-free: schema → fields, drafts →
 * arguments with validation messages, the caps that keep a deep or huge schema from freezing the
 * panel, and hostile schemas (markup, `__proto__`, cycles) kept as inert data.
 */
import * as assert from 'node:assert/strict';
import { collect, constraintHint, extraKeys, fromLocalDateTime, initialDraft, newItem, toLocalDateTime, type Draft } from '../../../webview-ui/form/draft';
import { buildForm, MAX_FIELDS, type ArrayField, type Field, type FormModel, type ObjectField } from '../../../webview-ui/form/schema';

type TextDraft = Extract<Draft, { t: 'text' }>;
type ObjDraft = Extract<Draft, { t: 'object' }>;

const props = (m: FormModel): Field[] => (m.root as ObjectField).properties;
const field = (m: FormModel, name: string): Field => props(m).find((f) => f.name === name)!;
const sub = (d: Draft, name: string): Draft => (d as ObjDraft).props.get(name)!;
const setText = (d: Draft, name: string, text: string) => ((sub(d, name) as TextDraft).text = text);
const form = (schema: unknown) => {
  const model = buildForm(schema);
  const draft = initialDraft(model.root);
  return { model, draft, collect: () => collect(model, draft) };
};

describe('webview/form model', () => {
  describe('schema → fields', () => {
    it('reads the demo add_todo schema (zod-to-json-schema output): one required string with bounds and a description', () => {
      const f = form({
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        properties: { title: { type: 'string', minLength: 1, maxLength: 200, description: 'What needs doing' } },
        required: ['title'],
        additionalProperties: false,
      });
      assert.equal(f.model.fallback, undefined);
      const title = field(f.model, 'title');
      assert.equal(title.kind, 'string');
      assert.equal(title.required, true);
      assert.equal(title.label, 'title');
      assert.equal(title.description, 'What needs doing');
      assert.equal(constraintHint(title), '1–200 characters');
      assert.deepEqual([...f.collect().errors], [['/title', 'Required']]);
      setText(f.draft, 'title', 'buy milk');
      assert.deepEqual(f.collect(), { value: { title: 'buy milk' }, errors: new Map() });
    });

    it('a tool without arguments: an empty object form that sends {}', () => {
      for (const schema of [
        { type: 'object', properties: {}, additionalProperties: false },
        { type: 'object', properties: {}, additionalProperties: false, $schema: 'x' },
        // empty or absent `properties` on the arguments object means "no arguments" (not a free-form object)
        { type: 'object' },
        { type: 'object', properties: {} },
        { properties: {} },
        { type: 'object', additionalProperties: true },
        { type: 'object', properties: {}, required: [] },
      ]) {
        const f = form(schema);
        assert.equal(f.model.fallback, undefined);
        assert.deepEqual(props(f.model), []);
        assert.deepEqual(f.collect().value, {});
      }
    });

    it('string formats become suitable inputs and are checked', () => {
      const f = form({
        type: 'object',
        properties: {
          mail: { type: 'string', format: 'email' },
          site: { type: 'string', format: 'uri' },
          day: { type: 'string', format: 'date' },
          at: { type: 'string', format: 'date-time' },
          free: { type: 'string' },
        },
      });
      assert.deepEqual(
        props(f.model).map((p) => (p.kind === 'string' ? p.input : p.kind)),
        ['email', 'url', 'date', 'datetime-local', 'text'],
      );
      setText(f.draft, 'mail', 'not an address');
      setText(f.draft, 'site', 'no scheme here');
      setText(f.draft, 'day', '2025-02-30');
      setText(f.draft, 'at', 'yesterday');
      const bad = f.collect();
      assert.equal(bad.errors.get('/mail'), 'Enter an email address');
      assert.equal(bad.errors.get('/site'), 'Enter an absolute URL');
      assert.equal(bad.errors.get('/day'), 'Enter a date (YYYY-MM-DD)');
      assert.equal(bad.errors.get('/at'), 'Enter a date and time');
      setText(f.draft, 'mail', 'a@example.com');
      setText(f.draft, 'site', 'https://example.com/x');
      setText(f.draft, 'day', '2024-02-29');
      setText(f.draft, 'at', '2025-01-31T12:30:05');
      const ok = f.collect();
      assert.deepEqual(ok.errors, new Map());
      assert.equal(ok.value.mail, 'a@example.com');
      assert.equal(ok.value.day, '2024-02-29');
      assert.match(String(ok.value.at), /^2025-01-31T12:30:05[+-]\d{2}:\d{2}$/);
      assert.equal(new Date(String(ok.value.at)).getTime(), new Date(2025, 0, 31, 12, 30, 5).getTime(), 'the local time the user typed');
      assert.ok(!('free' in ok.value), 'an empty optional string is left out');
    });

    it('date-time round trip: RFC 3339 → datetime-local → RFC 3339 names the same instant', () => {
      const iso = '2025-06-01T08:15:00Z';
      const local = toLocalDateTime(iso);
      assert.match(local, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
      assert.equal(new Date(fromLocalDateTime(local)!).getTime(), new Date(iso).getTime());
      assert.equal(toLocalDateTime('not a date'), '');
      assert.equal(fromLocalDateTime('2025-13-01T00:00'), undefined);
    });

    it('numbers and integers: parsing and bounds', () => {
      const f = form({
        type: 'object',
        properties: {
          n: { type: 'number', minimum: 0, exclusiveMaximum: 10, multipleOf: 0.5 },
          i: { type: 'integer', minimum: 1, maximum: 5 },
        },
        required: ['i'],
      });
      assert.equal(constraintHint(field(f.model, 'n')), '≥ 0 · < 10 · multiple of 0.5');
      const cases: Array<[string, string, string | undefined]> = [
        ['n', '12a', 'Enter a number'],
        ['n', 'Infinity', 'Enter a number'],
        ['n', '0x10', 'Enter a number'],
        ['n', '-1', 'Must be ≥ 0'],
        ['n', '10', 'Must be < 10'],
        ['n', '0.3', 'Must be a multiple of 0.5'],
        ['n', '2.5', undefined],
        ['n', '1e0', undefined],
        ['i', '1.5', 'Enter a whole number'],
        ['i', '6', 'Must be ≤ 5'],
        ['i', '', 'Required'],
        ['i', ' 3 ', undefined],
      ];
      for (const [name, text, msg] of cases) {
        const d = initialDraft(f.model.root);
        setText(d, name === 'n' ? 'i' : 'n', name === 'n' ? '3' : '');
        setText(d, name, text);
        assert.equal(collect(f.model, d).errors.get(`/${name}`), msg, `${name} = ${JSON.stringify(text)}`);
      }
      setText(f.draft, 'n', '2.5');
      setText(f.draft, 'i', '3');
      assert.deepEqual(f.collect().value, { n: 2.5, i: 3 });
    });

    it('booleans: an untouched optional one is left out, a required one is false', () => {
      const f = form({ type: 'object', properties: { opt: { type: 'boolean' }, req: { type: 'boolean' }, on: { type: 'boolean', default: true } }, required: ['req'] });
      assert.deepEqual(f.collect().value, { req: false, on: true });
      (sub(f.draft, 'opt') as Extract<Draft, { t: 'bool' }>).value = false;
      assert.deepEqual(f.collect().value, { opt: false, req: false, on: true });
    });

    it('enums become a choice of values of any JSON type; a required one must be chosen', () => {
      const f = form({ type: 'object', properties: { color: { type: 'string', enum: ['red', 'green'] }, n: { enum: [1, 2, { x: 1 }] }, size: { type: 'string', enum: ['s', 'm'], default: 'm' } }, required: ['color'] });
      const color = field(f.model, 'color');
      assert.equal(color.kind, 'enum');
      assert.deepEqual(color.kind === 'enum' && color.options.map((o) => o.label), ['red', 'green']);
      const n = field(f.model, 'n');
      assert.deepEqual(n.kind === 'enum' && n.options.map((o) => o.label), ['1', '2', '{"x":1}']);
      assert.equal(f.collect().errors.get('/color'), 'Choose a value');
      assert.equal((sub(f.draft, 'size') as TextDraft).text, '1', 'the default is preselected');
      setText(f.draft, 'color', '1');
      setText(f.draft, 'n', '2');
      assert.deepEqual(f.collect().value, { color: 'green', n: { x: 1 }, size: 'm' });
      setText(f.draft, 'n', '99');
      assert.ok(!('n' in f.collect().value), 'an index that is not an option is no value');
    });

    it('oneOf of constants with titles is a choice; const is a single choice', () => {
      const f = form({ type: 'object', properties: { level: { oneOf: [{ const: 'lo', title: 'Low' }, { const: 'hi', title: 'High' }] }, v: { const: 2 } }, required: ['v'] });
      const level = field(f.model, 'level');
      assert.deepEqual(level.kind === 'enum' && level.options, [{ value: 'lo', label: 'Low' }, { value: 'hi', label: 'High' }]);
      assert.deepEqual(f.collect().value, { v: 2 }, 'a required single constant is preselected');
    });

    it('arrays: add and remove items, item validation, min/max/unique', () => {
      const f = form({ type: 'object', properties: { tags: { type: 'array', items: { type: 'string', minLength: 2 }, minItems: 1, maxItems: 3, uniqueItems: true } }, required: ['tags'] });
      const tags = field(f.model, 'tags') as ArrayField;
      const d = sub(f.draft, 'tags') as Extract<Draft, { t: 'array' }>;
      assert.equal(f.collect().errors.get('/tags'), 'Add at least 1 item');
      d.items.push(newItem(tags), newItem(tags));
      (d.items[0] as TextDraft).text = 'ab';
      (d.items[1] as TextDraft).text = 'a';
      assert.equal(f.collect().errors.get('/tags/1'), 'At least 2 characters');
      (d.items[1] as TextDraft).text = 'ab';
      assert.equal(f.collect().errors.get('/tags'), 'The items must be different from each other');
      (d.items[1] as TextDraft).text = 'cd';
      assert.deepEqual(f.collect(), { value: { tags: ['ab', 'cd'] }, errors: new Map() });
      d.items.push(newItem(tags), newItem(tags));
      for (const [i, t] of ['ef', 'gh'].entries()) (d.items[i + 2] as TextDraft).text = t;
      assert.equal(f.collect().errors.get('/tags'), 'At most 3 items');
      d.items.splice(0, 1);
      assert.deepEqual(f.collect().value, { tags: ['cd', 'ef', 'gh'] });
      // an empty optional array is left out
      const g = form({ type: 'object', properties: { xs: { type: 'array', items: { type: 'number' } } } });
      assert.deepEqual(g.collect().value, {});
    });

    it('nested objects and arrays of objects; an untouched optional object is left out', () => {
      const f = form({
        type: 'object',
        properties: {
          address: { type: 'object', title: 'Address', properties: { street: { type: 'string' }, zip: { type: 'string' } }, required: ['zip'] },
          people: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } }, required: ['name'] } },
        },
      });
      assert.equal(field(f.model, 'address').label, 'Address');
      assert.deepEqual(f.collect(), { value: {}, errors: new Map() }, 'the optional address with a required zip is not demanded');
      setText(sub(f.draft, 'address'), 'street', 'Main St');
      assert.equal(f.collect().errors.get('/address/zip'), 'Required', 'once started, its required fields are');
      setText(sub(f.draft, 'address'), 'zip', '12345');
      const people = sub(f.draft, 'people') as Extract<Draft, { t: 'array' }>;
      people.items.push(newItem(field(f.model, 'people') as ArrayField));
      assert.equal(f.collect().errors.get('/people/0/name'), 'Required');
      setText(people.items[0], 'name', 'Ada');
      setText(people.items[0], 'age', '36');
      assert.deepEqual(f.collect(), { value: { address: { street: 'Main St', zip: '12345' }, people: [{ name: 'Ada', age: 36 }] }, errors: new Map() });
    });

    it('defaults fill the draft; arguments of an earlier call win over defaults', () => {
      const schema = { type: 'object', properties: { q: { type: 'string', default: 'pkce' }, limit: { type: 'integer', default: 5 }, deep: { type: 'object', properties: { on: { type: 'boolean', default: false } } } } };
      const m = buildForm(schema);
      assert.deepEqual(collect(m, initialDraft(m.root)).value, { q: 'pkce', limit: 5, deep: { on: false } });
      assert.deepEqual(collect(m, initialDraft(m.root, { q: 'refresh', limit: 2, deep: { on: true } })).value, { q: 'refresh', limit: 2, deep: { on: true } });
    });

    it('nullable types (type [T, "null"], anyOf with null) are the inner field; required + empty sends null', () => {
      const f = form({
        type: 'object',
        properties: { a: { type: ['string', 'null'] }, b: { anyOf: [{ type: 'integer' }, { type: 'null' }], description: 'pydantic Optional[int]' } },
        required: ['a', 'b'],
      });
      const a = field(f.model, 'a');
      const b = field(f.model, 'b');
      assert.equal(a.kind, 'string');
      assert.equal(a.nullable, true);
      assert.equal(b.kind, 'integer');
      assert.equal(b.description, 'pydantic Optional[int]');
      assert.deepEqual(f.collect().value, { a: null, b: null });
      setText(f.draft, 'b', '4');
      assert.deepEqual(f.collect().value, { a: null, b: 4 });
    });

    it('what the form cannot express becomes a JSON field with a reason: oneOf, several types, tuples, free-form objects, any', () => {
      const f = form({
        type: 'object',
        properties: {
          shape: { oneOf: [{ type: 'object', properties: { r: { type: 'number' } } }, { type: 'object', properties: { w: { type: 'number' } } }] },
          multi: { type: ['string', 'number'] },
          tuple: { type: 'array', items: [{ type: 'string' }, { type: 'number' }] },
          meta: { type: 'object' },
          anything: {},
          allOf2: { allOf: [{ type: 'string' }, { minLength: 2 }] },
        },
        required: ['meta'],
      });
      const reasons = Object.fromEntries(props(f.model).map((p) => [p.name, p.kind === 'json' ? p.reason : p.kind]));
      assert.match(reasons.shape, /oneOf with 2 alternatives/);
      assert.match(reasons.multi, /several types/);
      assert.match(reasons.tuple, /tuple/);
      assert.match(reasons.meta, /free-form object/);
      assert.match(reasons.anything, /any JSON value/);
      assert.match(reasons.allOf2, /allOf/);
      assert.equal(f.collect().errors.get('/meta'), 'Required');
      setText(f.draft, 'meta', '{"k": [1, 2]}');
      setText(f.draft, 'shape', '{ "r": 2 ');
      assert.match(f.collect().errors.get('/shape') ?? '', /^Not valid JSON/);
      setText(f.draft, 'shape', '{ "r": 2 }');
      assert.deepEqual(f.collect().value, { shape: { r: 2 }, meta: { k: [1, 2] } });
    });

    it('local $refs are followed (with the referencing title); a cycle and an external $ref become JSON', () => {
      const f = form({
        type: 'object',
        $defs: { Item: { type: 'object', properties: { name: { type: 'string' }, child: { $ref: '#/$defs/Item' } }, required: ['name'] } },
        definitions: { Color: { type: 'string', enum: ['red', 'blue'] } },
        properties: { item: { $ref: '#/$defs/Item', title: 'The item' }, color: { $ref: '#/definitions/Color' }, remote: { $ref: 'https://example.com/schema.json' } },
      });
      const item = field(f.model, 'item') as ObjectField;
      assert.equal(item.kind, 'object');
      assert.equal(item.label, 'The item');
      const child = item.properties.find((p) => p.name === 'child')!;
      assert.equal(child.kind, 'json');
      assert.match((child as { reason: string }).reason, /refers to itself/);
      assert.equal(field(f.model, 'color').kind, 'enum');
      assert.match((field(f.model, 'remote') as { reason: string }).reason, /not a local definition/);
    });

    it('a root that is not an object with properties: the whole form is JSON (fallback with a reason)', () => {
      for (const [schema, reason] of [
        // keys described by a schema: a map, edited as JSON
        [{ type: 'object', additionalProperties: { type: 'string' } }, /free-form object/],
        [{ type: 'object', properties: {}, patternProperties: { '^x-': { type: 'number' } } }, /free-form object/],
        [{ anyOf: [{ type: 'object', properties: { a: { type: 'string' } } }, { type: 'object', properties: { b: { type: 'string' } } }] }, /anyOf/],
        [null, /not an object/],
        ['<script>', /not an object/],
        [{ type: 'string' }, /not an object with properties/],
      ] as Array<[unknown, RegExp]>) {
        const m = buildForm(schema);
        assert.match(m.fallback ?? '', reason, JSON.stringify(schema));
      }
    });
  });

  describe('caps: a deep or huge schema cannot freeze the panel', () => {
    it(`nesting deeper than 8 levels becomes "edit as JSON"`, () => {
      let schema: Record<string, unknown> = { type: 'string' };
      for (let i = 0; i < 200; i++) schema = { type: 'object', properties: { next: schema } };
      const started = Date.now();
      const m = buildForm(schema);
      assert.ok(Date.now() - started < 200);
      let f: Field = m.root;
      let depth = 0;
      while (f.kind === 'object') {
        f = f.properties[0];
        depth++;
      }
      assert.equal(f.kind, 'json');
      assert.match((f as { reason: string }).reason, /deeper than 8 levels/);
      assert.equal(depth, 8);
      // arrays count as levels too
      let arr: Record<string, unknown> = { type: 'string' };
      for (let i = 0; i < 50; i++) arr = { type: 'array', items: arr };
      const a = buildForm({ type: 'object', properties: { a: arr } });
      assert.ok(a.fieldCount <= 10);
    });

    it(`more than ${MAX_FIELDS} fields: the whole form falls back to JSON, quickly`, () => {
      const properties: Record<string, unknown> = {};
      for (let i = 0; i < 50_000; i++) properties[`p${i}`] = { type: 'string', description: 'x'.repeat(100) };
      const started = Date.now();
      const m = buildForm({ type: 'object', properties });
      assert.ok(Date.now() - started < 500, `${Date.now() - started} ms`);
      assert.equal(m.root.kind, 'json');
      assert.match(m.fallback ?? '', /more than 200 fields/);
    });

    it('huge enums and long texts are capped', () => {
      const m = buildForm({ type: 'object', properties: { e: { enum: Array.from({ length: 10_000 }, (_, i) => i) }, s: { type: 'string', title: 'T'.repeat(5000), description: 'D'.repeat(50_000) } } });
      assert.equal(field(m, 'e').kind, 'json');
      const s = field(m, 's');
      assert.ok(s.label.length <= 201);
      assert.ok((s.description ?? '').length <= 4001);
    });
  });

  describe('hostile schemas are data', () => {
    const XSS = '<img src=x onerror="document.title=\'pwned\'">';
    it('markup in titles, descriptions, enum values and defaults is kept as text, unchanged', () => {
      const m = buildForm({
        type: 'object',
        properties: {
          [XSS]: { type: 'string', title: '<script>alert(1)</script>', description: '<svg onload=alert(2)>', default: 'javascript:alert(3)' },
          pick: { type: 'string', enum: ['<b>bold</b>', 'javascript:alert(4)'] },
        },
      });
      const x = props(m)[0];
      assert.equal(x.name, XSS);
      assert.equal(x.label, '<script>alert(1)</script>');
      assert.equal(x.description, '<svg onload=alert(2)>');
      const pick = field(m, 'pick');
      assert.deepEqual(pick.kind === 'enum' && pick.options.map((o) => o.label), ['<b>bold</b>', 'javascript:alert(4)']);
      const r = collect(m, initialDraft(m.root));
      assert.equal(r.value[XSS], 'javascript:alert(3)', 'a default is a value, never a link');
    });

    it('property names like __proto__ and constructor are plain own keys: no prototype pollution', () => {
      const schema = JSON.parse('{"type":"object","properties":{"__proto__":{"type":"string"},"constructor":{"type":"string"},"toString":{"type":"object","properties":{"polluted":{"type":"boolean","default":true}}}}}');
      const m = buildForm(schema);
      assert.deepEqual(props(m).map((p) => p.name), ['__proto__', 'constructor', 'toString']);
      const d = initialDraft(m.root);
      setText(d, '__proto__', 'x');
      setText(d, 'constructor', 'y');
      const r = collect(m, d);
      assert.ok(Object.hasOwn(r.value, '__proto__'));
      assert.equal(Object.getPrototypeOf(r.value), Object.prototype);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.equal(JSON.stringify(r.value), '{"__proto__":"x","constructor":"y","toString":{"polluted":true}}');
      // and reading arguments back into a draft uses own properties only
      const back = initialDraft(m.root, JSON.parse('{"__proto__":"z"}'));
      assert.equal((sub(back, '__proto__') as TextDraft).text, 'z');
      assert.equal((sub(back, 'constructor') as TextDraft).text, '', 'an inherited constructor is not an argument');
    });

    it('inherited keywords are ignored (only own properties of a schema count)', () => {
      const proto = { type: 'object', properties: { evil: { type: 'string' } } };
      const schema = Object.create(proto) as Record<string, unknown>;
      assert.equal(buildForm(schema).fallback, 'any JSON value');
    });

    it('a required field with a default that does not fit the type starts empty (not with the wrong type)', () => {
      const m = buildForm({ type: 'object', properties: { n: { type: 'integer', default: '<script>' }, b: { type: 'boolean', default: 'yes' } }, required: ['n'] });
      const r = collect(m, initialDraft(m.root));
      assert.equal(r.errors.get('/n'), 'Required');
      assert.ok(!('b' in r.value));
    });

    it('extraKeys: what the JSON editor holds that the form cannot show', () => {
      const m = buildForm({ type: 'object', properties: { a: { type: 'string' } } });
      assert.deepEqual(extraKeys(m, { a: '1', b: 2, __proto__x: 3 }), ['b', '__proto__x']);
      assert.deepEqual(extraKeys(m, 'not an object'), []);
    });
  });
});
