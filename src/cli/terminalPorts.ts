/**
 * The engine's ports in a terminal (src/core/ports.ts): the log on stderr, the browser (printed or
 * opened), and a server's form-mode elicitation asked on stderr. Server text goes out one line at a
 * time through core/text/terminal (controls and bidi characters shown as escapes).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ElicitationUi } from '../core/mcp/elicitation';
import type { Browser, Logger } from '../core/ports';
import { terminalLine } from '../core/text/terminal';

export function stderrLogger(verbose: boolean, redact: (s: string) => string): Logger {
  const w = (level: string, m: unknown) => process.stderr.write(`${level} ${terminalLine(redact(m instanceof Error ? m.message : String(m)))}\n`);
  return {
    trace: () => {},
    debug: (m) => verbose && w('debug', m),
    info: (m) => verbose && w('info', m),
    warn: (m) => w('warn', m),
    error: (m) => w('error', m),
  };
}

/** Open a URL in the system browser: the URL is one argv element, never parsed by a shell. */
export function systemBrowser(): Browser {
  return {
    async open(url) {
      process.stderr.write(`Opening ${terminalLine(url.host)} for sign-in…\n`);
      const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer.exe' : 'xdg-open';
      const child = spawn(cmd, [url.href], { stdio: 'ignore', detached: true, shell: false });
      child.on('error', () => process.stderr.write(`Could not start ${cmd}; open this URL yourself:\n${terminalLine(url.href)}\n`));
      child.unref();
    },
  };
}

export function printingBrowser(): Browser {
  return {
    async open(url) {
      process.stderr.write(`Sign in at ${terminalLine(url.host)} — open this URL in a browser:\n${terminalLine(url.href)}\n`);
    },
  };
}

/**
 * A server's form-mode elicitation in a terminal: asked on stderr, one field per line, when stdin is
 * a terminal and the output is not --json; otherwise declined with a note (a script cannot answer).
 */
export function terminalElicitation(json: boolean): ElicitationUi {
  const interactive = !json && process.stdin.isTTY === true;
  const line = async (q: string): Promise<string | null> => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await new Promise<string | null>((resolve) => {
        rl.once('close', () => resolve(null));
        rl.question(q, (a) => resolve(a));
      });
    } finally {
      rl.close();
    }
  };
  // Server text, one line each (core/text/terminal): controls and bidi characters shown as escapes.
  const plain = terminalLine;
  return {
    async intro(message, fields) {
      if (!interactive) {
        process.stderr.write(`The server asks for input (${plain(fields.map((f) => f.name).join(', '))}): ${plain(message)} — declined (not a terminal, or --json).\n`);
        return 'decline';
      }
      process.stderr.write(`The server asks: ${plain(message)}\n`);
      const a = await line(`Answer ${fields.length} field${fields.length === 1 ? '' : 's'}? [y]es / [n]o (decline) / [c]ancel: `);
      return a === null || /^c/i.test(a) ? 'cancel' : /^n/i.test(a) ? 'decline' : 'accept';
    },
    async ask(f) {
      const choices = f.options?.map((o, i) => `${i + 1}) ${plain(o.label)}`).join('  ');
      const hint = f.kind === 'boolean' ? ' [y/n]' : choices ? ` ${choices}${f.kind === 'multi' ? ' (numbers, comma-separated)' : ''}` : '';
      const def = f.default === undefined ? '' : ` (default ${plain(JSON.stringify(f.default))})`;
      for (;;) {
        const a = await line(`${plain(f.label)}${f.required ? '' : ' (optional)'}${hint}${def}${f.description ? ` — ${plain(f.description)}` : ''}: `);
        if (a === null) return null;
        const t = a.trim();
        if (t === '') {
          if (!f.required) return undefined;
          process.stderr.write('  required\n');
          continue;
        }
        if (f.kind === 'boolean') return /^y/i.test(t);
        if (f.kind === 'choice' || f.kind === 'multi') {
          const picked = t.split(',').map((x) => f.options?.[Number(x.trim()) - 1]?.value);
          if (picked.some((v) => v === undefined) || (f.kind === 'choice' && picked.length !== 1)) {
            process.stderr.write('  choose by number\n');
            continue;
          }
          return f.kind === 'choice' ? picked[0]! : (picked as string[]);
        }
        const problem = f.check(t);
        if (!problem) return f.parse(t);
        process.stderr.write(`  ${problem}\n`);
      }
    },
    unsupported(why) {
      process.stderr.write(`Declined a request for input: ${plain(why)}.\n`);
    },
  };
}
