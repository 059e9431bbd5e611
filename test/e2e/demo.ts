import { startDemo, type DemoHandle, type DemoOptions } from '../../demo/index';

/**
 * Mocha wiring for a UI test block against the embedded demo: started before the block on free
 * ports, stopped after it; when a test fails, the demo's last log lines are printed with it.
 * Returns a getter for the running demo.
 */
export function useDemo(opts: Omit<DemoOptions, 'port' | 'asPort' | 'log'> = {}): () => DemoHandle {
  let demo: DemoHandle | undefined;
  const log: string[] = [];
  before(async () => {
    demo = await startDemo({ ...opts, port: 0, asPort: 0, log: (l) => log.push(l) });
  });
  after(async () => {
    await demo?.close();
    demo = undefined;
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed' && log.length) console.error(`    the demo's log:\n${log.slice(-30).map((l) => `      ${l}`).join('\n')}`);
  });
  return () => {
    if (!demo) throw new Error('the demo did not start (see the before-all hook error)');
    return demo;
  };
}
