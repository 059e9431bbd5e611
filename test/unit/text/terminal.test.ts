import { strict as assert } from 'node:assert';
import { terminalJson, terminalLine, terminalText } from '../../../src/core/text/terminal';

/** Every character a terminal acts on, or that reorders or breaks a line. */
const DANGEROUS: string[] = [
  ...Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)),
  '\u007f',
  ...Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(0x80 + i)),
  '\u061c',
  '\u200e',
  '\u200f',
  '\u2028',
  '\u2029',
  '\u202a',
  '\u202b',
  '\u202c',
  '\u202d',
  '\u202e',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
];
const RAW = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('core/text/terminal', () => {
  describe('terminalLine', () => {
    it('escapes every C0/C1 control, DEL, bidi control and line separator', () => {
      for (const c of DANGEROUS) {
        const out = terminalLine(`a${c}b`);
        assert.doesNotMatch(out, RAW, `U+${c.charCodeAt(0).toString(16)} left raw`);
        assert.ok(out.startsWith('a\\') && out.endsWith('b'), out);
      }
    });

    it('shows ESC sequences as text: CSI colour, OSC 8 hyperlink, OSC 52 clipboard, title', () => {
      assert.equal(terminalLine('\u001b[31mred\u001b[0m'), '\\x1b[31mred\\x1b[0m');
      assert.equal(terminalLine('\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007'), '\\x1b]8;;https://evil.example\\x07click\\x1b]8;;\\x07');
      assert.equal(terminalLine('\u001b]52;c;cm0gLXJmIH4=\u0007'), '\\x1b]52;c;cm0gLXJmIH4=\\x07');
      assert.equal(terminalLine('\u009b2J'), '\\x9b2J', '8-bit CSI');
    });

    it('keeps a server on one line: newline, CR, tab, U+2028 are escaped', () => {
      const forged = 'echo\nerror [internal]: your token is revoked\rSigned in';
      const out = terminalLine(forged);
      assert.equal(out.split('\n').length, 1);
      assert.equal(out, 'echo\\nerror [internal]: your token is revoked\\rSigned in');
      assert.equal(terminalLine('a\tb\u2028c'), 'a\\tb\\u2028c');
    });

    it('shows bidi overrides (Trojan Source) as escapes', () => {
      assert.equal(terminalLine('admin\u202e\u2066txt.exe\u2069'), 'admin\\u202e\\u2066txt.exe\\u2069');
      assert.equal(terminalLine('x\u200fy\u061cz'), 'x\\u200fy\\u061cz');
    });

    it('leaves printable text of any script alone', () => {
      const s = 'Grüße — 東京 — مرحبا — 🔐 — "quotes" \\ backslash';
      assert.equal(terminalLine(s), s);
    });

    it('undefined and null are empty; other values are stringified', () => {
      assert.equal(terminalLine(undefined), '');
      assert.equal(terminalLine(null), '');
      assert.equal(terminalLine(42), '42');
    });
  });

  describe('terminalText', () => {
    it('keeps LF and TAB, turns CRLF into LF, escapes the rest', () => {
      assert.equal(terminalText('line 1\r\nline\t2\nline 3'), 'line 1\nline\t2\nline 3');
      assert.equal(terminalText('over\rwrite'), 'over\\rwrite');
      assert.equal(terminalText('\u001b[2J\u001b[Hcleared'), '\\x1b[2J\\x1b[Hcleared');
      for (const c of DANGEROUS.filter((x) => x !== '\n' && x !== '\t')) assert.doesNotMatch(terminalText(`a${c}b`), RAW);
    });
  });

  describe('terminalJson', () => {
    it('is valid JSON with the same value and no raw dangerous character', () => {
      const value = { name: `x${DANGEROUS.join('')}y`, [`k\u202e`]: ['\u0085', '\u001b'], n: 1 };
      for (const indent of [undefined, 2]) {
        const json = terminalJson(value, indent);
        // Indented JSON has newlines of its own, between values; none inside a string.
        assert.doesNotMatch(json.replace(/\n/g, ''), RAW);
        assert.deepEqual(JSON.parse(json), value);
      }
      assert.doesNotMatch(terminalJson(value), RAW);
    });

    it('undefined → null', () => {
      assert.equal(terminalJson(undefined), 'null');
    });
  });
});
