import { strict as assert } from 'node:assert';
import { INVISIBLE, sanitizeServerText, stripInvisible, stripInvisibleKeepingLines } from '../../../src/core/text/scrub';

/** Every character either scrubber this one replaced removed (the callback's error text, the config import's names). */
const OLD_CALLBACK_RANGE = [[0x00, 0x1f], [0x7f, 0x9f], [0x200b, 0x200f], [0x2028, 0x202e], [0x2060, 0x206f], [0xfeff, 0xfeff]];
const OLD_IMPORT_RANGE = [[0x00, 0x1f], [0x7f, 0x9f], [0x200b, 0x200f], [0x202a, 0x202e], [0x2060, 0x2069], [0xfeff, 0xfeff]];
/** What neither caught: the Arabic letter mark (a bidi mark, UAX #9), the tag characters (invisible text), soft hyphen. */
const NEWLY_CAUGHT = [0x061c, 0xe0001, 0xe0041, 0xe007f, 0x00ad, 0x180e];

function codePoints(ranges: number[][]): string[] {
  return ranges.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, i) => String.fromCodePoint(a + i)));
}

describe('core/text/scrub', () => {
  const all = [...new Set([...codePoints(OLD_CALLBACK_RANGE), ...codePoints(OLD_IMPORT_RANGE), ...NEWLY_CAUGHT.map((c) => String.fromCodePoint(c))])];

  it('stripInvisible removes every character of both old ranges and the ones they missed', () => {
    for (const c of all) {
      const hex = c.codePointAt(0)!.toString(16);
      assert.equal(stripInvisible(`a${c}b`), 'ab', `U+${hex}`);
      assert.ok(INVISIBLE.test(c), `U+${hex}`);
    }
  });

  it('stripInvisibleKeepingLines removes the same characters but TAB and LF (multi-line text keeps its layout)', () => {
    for (const c of all) {
      const expected = c === '\t' || c === '\n' ? `a${c}b` : 'ab';
      assert.equal(stripInvisibleKeepingLines(`a${c}b`), expected, `U+${c.codePointAt(0)!.toString(16)}`);
    }
    assert.equal(stripInvisibleKeepingLines('line one\n\tline two\u202e\u200b'), 'line one\n\tline two');
  });

  it('sanitizeServerText turns each of them into one space between words', () => {
    for (const c of all) assert.equal(sanitizeServerText(`a${c}b`, 100), 'a b', `U+${c.codePointAt(0)!.toString(16)}`);
  });

  it('keeps visible text in any script, combining marks and emoji as they are', () => {
    for (const s of ['Zürich', 'é', 'Ελληνικά', 'עברית', 'العربية', '日本語', '한국어', '🙂🚀', 'a-b_c.d', 'x (y) [z]']) {
      assert.equal(stripInvisible(s), s, s);
      assert.equal(sanitizeServerText(s, 100), s, s);
    }
  });

  it('a look-alike name made with zero-width or bidi characters comes out as the plain name', () => {
    assert.equal(stripInvisible('git\u200bhub'), 'github');
    assert.equal(stripInvisible('\u202egithub\u202c'), 'github');
    assert.equal(stripInvisible('github\u{e0069}\u{e0067}'), 'github'); // tag characters: hidden text
  });

  it('sanitizeServerText: the callback error cases (controls out, links broken, capped by code point)', () => {
    assert.equal(sanitizeServerText('a\u0000b\u202ec  d', 100), 'a b c d');
    assert.equal(sanitizeServerText('[x](command:evil)', 100), '[x] (command:evil)');
    assert.equal(sanitizeServerText('abcdef', 3), 'abc…');
    assert.equal(sanitizeServerText('🙂🙂🙂', 2), '🙂🙂…'); // a surrogate pair is never cut in half
    assert.equal(sanitizeServerText('  line one\r\n\tline two\u2028three  ', 100), 'line one line two three');
    assert.equal(sanitizeServerText('', 10), '');
  });
});
