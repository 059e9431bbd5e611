/** Helpers shared by the in-host suites (they run inside the real extension host). */
import * as vscode from 'vscode';

/** Runs one of our commands; the command table turns failures into `{ error, code }`, which fails here with the message. */
export async function run<T>(id: string, ...args: unknown[]): Promise<T> {
  const r = await vscode.commands.executeCommand<T>(id, ...args);
  const err = r as { error?: unknown; code?: unknown } | undefined;
  if (err && typeof err === 'object' && typeof err.error === 'string' && 'code' in err) {
    throw new Error(`${id} failed: ${err.error} (${String(err.code)})`);
  }
  return r;
}

/** A condition wait (no sleeps): polls until `check` returns a value other than undefined. */
export async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
