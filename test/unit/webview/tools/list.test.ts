/**
 * The tool list as data (webview-ui/tools/list.ts) in plain Node: filtering (in the server's
 * order), the count line, the single tab stop, item keys for repeated names, signatures, and the
 * security and coverage badges.
 */
import * as assert from 'node:assert/strict';
import { coverageBadge, itemGlyph, itemSignature, listModel, matches, mismatchBadge, securityBadge, securityKey, toolKeys } from '../../../../webview-ui/tools/list';
import { security, tool } from './make';

const tools = [tool('search_docs', 'public', { title: 'Search the docs' }), tool('add_todo', 'oauth', { description: 'Adds a TODO item.' }), tool('list_todos', 'oauth', { title: undefined, description: undefined })];

describe('webview/tools/list: the tool list as data', () => {
  describe('filter', () => {
    it('matches name, title or description, case-insensitively; the empty filter matches all', () => {
      assert.equal(matches(tools[0], 'docs'), true);
      assert.equal(matches(tools[0], 'the docs'), true, 'the title');
      assert.equal(matches(tools[1], 'todo item'), true, 'the description');
      assert.equal(matches(tools[2], 'item'), false, 'no title or description to search');
      assert.equal(matches(tools[2], ''), true);
    });

    it('keeps the server’s order (no sorting), trims and lowers the filter', () => {
      const m = listModel(tools, '  TODO ', undefined, true);
      assert.deepEqual(m.visible, [1, 2]);
      assert.equal(m.count, '2 of 3 tools');
      const reversed = [...tools].reverse();
      assert.deepEqual(
        listModel(reversed, 'todo', undefined, true).visible.map((i) => reversed[i].name),
        ['list_todos', 'add_todo'],
      );
    });

    it('counts: all, some, one, none, and not connected', () => {
      assert.equal(listModel(tools, '', undefined, true).count, '3 tools');
      assert.equal(listModel([tools[0]], '', undefined, true).count, '1 tool');
      assert.equal(listModel(tools, 'nothing matches', undefined, true).count, '0 of 3 tools');
      assert.equal(listModel([], '', undefined, true).count, 'No tools.');
      assert.equal(listModel([], '', undefined, false).count, 'Connect to list the tools.');
    });

    it('the one tab stop: the selected tool when it is shown, else the first shown, else none', () => {
      assert.equal(listModel(tools, '', 'add_todo', true).focusable, 'add_todo');
      assert.equal(listModel(tools, 'list', 'add_todo', true).focusable, 'list_todos');
      assert.equal(listModel(tools, 'nothing', 'add_todo', true).focusable, undefined);
    });
  });

  describe('items', () => {
    it('are keyed by name; a repeated name gets its own key', () => {
      assert.deepEqual(toolKeys([tool('a'), tool('b'), tool('a'), tool('a')]), ['a', 'b', 'a\u00001', 'a\u00002']);
      assert.deepEqual(toolKeys([]), []);
    });

    it('their signature changes with the title and with what the badges show, not with the description', () => {
      const t = tool('x', 'oauth');
      const key = securityKey(t.security, false);
      assert.equal(itemSignature({ ...t, description: 'other' }, key), itemSignature(t, key));
      assert.notEqual(itemSignature({ ...t, title: 'other' }, key), itemSignature(t, key));
      assert.notEqual(securityKey(security('oauth', { covered: true, missing: [] }), false), key);
      assert.notEqual(securityKey(security('oauth', { missing: ['a', 'b'] }), false), key);
      const mismatch = security('public', { mismatch: { declared: 'noauth', status: 401, message: 'refused' } });
      assert.notEqual(securityKey(mismatch, false), securityKey(security('public'), false));
    });

    it('signed in matters to the signature only for a tool that is public or OAuth', () => {
      assert.equal(securityKey(security('oauth'), true), securityKey(security('oauth'), false));
      assert.notEqual(securityKey(security('both'), true), securityKey(security('both'), false));
    });

    it('the glyph: globe without sign-in, lock when not covered, open lock when covered', () => {
      assert.equal(itemGlyph(security('public')), 'globe');
      assert.equal(itemGlyph(security('oauth')), 'lock');
      assert.equal(itemGlyph(security('oauth', { covered: true })), 'unlock');
    });
  });

  describe('badges', () => {
    it('security: public, OAuth with its scopes, either, or the server’s default', () => {
      assert.deepEqual(securityBadge(security('public'), true), { class: 'badge sec-public', 'data-kind': 'public', title: 'securitySchemes: noauth', icon: 'globe', text: ' public' });
      assert.equal(securityBadge(security('oauth', { scopesNeeded: ['a', 'b'] }), true).text, ' OAuth · a b');
      assert.equal(securityBadge(security('both', { scopesNeeded: ['a'] }), false).text, ' public or OAuth · a');
      assert.equal(securityBadge(security('both'), false).text, ' public or OAuth');
      assert.equal(securityBadge(security('default'), false).text, ' server default');
      assert.equal(securityBadge(security('default', { requiresAuth: true }), false).text, ' server default · sign-in');
    });

    it('security: long scope lists are clipped, shorter in the list than in the header', () => {
      const many = security('oauth', { scopesNeeded: Array.from({ length: 30 }, (_, i) => `scope${i}`) });
      assert.equal(securityBadge(many, true).text, ` OAuth · ${many.scopesNeeded.join(' ').slice(0, 40)}…`);
      assert.equal(securityBadge(many, false).text, ` OAuth · ${many.scopesNeeded.join(' ').slice(0, 120)}…`);
    });

    it('coverage: covered, missing scopes, sign-in needed; nothing for a tool that needs no sign-in', () => {
      assert.equal(coverageBadge(security('oauth', { covered: true, missing: [] }), true)?.text, ' covered');
      assert.deepEqual(coverageBadge(security('oauth', { missing: ['todos.write'] }), true), { class: 'badge level-warn', 'data-level': 'warn', icon: 'warning', text: ' missing todos.write' });
      assert.equal(coverageBadge(security('oauth', { missing: [] }), false)?.text, ' sign-in needed');
      assert.equal(coverageBadge(security('public'), true), null);
    });

    it('coverage of a tool that is public or OAuth: “covered” only when signed in with every scope it names', () => {
      const both = security('both', { scopesNeeded: ['a'], missing: [], covered: true });
      assert.equal(coverageBadge(both, true)?.text, ' covered');
      assert.equal(coverageBadge(both, false), null);
      assert.equal(coverageBadge({ ...both, missing: ['a'] }, true), null);
      assert.equal(coverageBadge({ ...both, scopesNeeded: [] }, true), null);
    });

    it('a tool declared public that the server refused: a warning with the status and the sentence as its title', () => {
      assert.equal(mismatchBadge(security('public')), null);
      const b = mismatchBadge(security('public', { mismatch: { declared: 'noauth', status: 401, message: 'declared public (noauth), but the server answered 401' } }));
      assert.deepEqual(b, { class: 'badge level-warn sec-mismatch', 'data-level': 'warn', title: 'declared public (noauth), but the server answered 401', icon: 'warning', text: ' refused without a token (401)' });
    });

    it('server text in a badge stays data (scopes with markup are just characters)', () => {
      const b = coverageBadge(security('oauth', { missing: ['<img src=x onerror=alert(1)>'] }), false);
      assert.equal(b?.text, ' missing <img src=x onerror=alert(1)>');
    });
  });
});
