/**
 * `npm run demo`: starts the demo authorization server and Todo MCP server, prints what to do next,
 * and stops cleanly on Ctrl-C / SIGTERM.
 *
 * Environment:
 *   MCP_DEMO_PORT          MCP server port (default 5080; 0 = any free port)
 *   MCP_DEMO_AS_PORT       authorization server port (default 5081; 0 = any free port)
 *   MCP_DEMO_AUTO_APPROVE  1 = sign the `demo` user in and grant consent without a page (to sign in as alice, leave it off)
 *   MCP_DEMO_TOKEN_TTL     access-token lifetime in seconds (default 600)
 */
import { DEFAULT_AS_PORT, DEFAULT_MCP_PORT, DEFAULT_TOKEN_TTL_SECONDS, DEMO_ACCOUNTS, DEMO_USER } from './constants';
import { startDemo } from './index';

function intFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new Error(`${name} must be a whole number between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

function boolFromEnv(name: string): boolean {
  return ['1', 'true', 'yes', 'on'].includes((process.env[name] ?? '').trim().toLowerCase());
}

function timestamp(): string {
  return new Date().toISOString().slice(11, 19);
}

async function main(): Promise<void> {
  const port = intFromEnv('MCP_DEMO_PORT', DEFAULT_MCP_PORT, 0, 65535);
  const asPort = intFromEnv('MCP_DEMO_AS_PORT', DEFAULT_AS_PORT, 0, 65535);
  const tokenTtl = intFromEnv('MCP_DEMO_TOKEN_TTL', DEFAULT_TOKEN_TTL_SECONDS, 1, 30 * 24 * 3600);
  const autoApprove = boolFromEnv('MCP_DEMO_AUTO_APPROVE');

  const demo = await startDemo({ port, asPort, tokenTtl, autoApprove, log: (line) => console.log(`${timestamp()} ${line}`) });

  console.log(`
MCP OAuth Inspector demo is running (loopback only).

  MCP server, whole server behind OAuth:  ${demo.mcpUrl}
  MCP server, per-tool protection:        ${demo.mixedUrl}
  MCP server, deliberately misconfigured: ${demo.misconfiguredUrl}
    planted defects (demo/README.md): ${demo.misconfiguredDefects.join(', ') || 'none'}
  Authorization server (issuer):          ${demo.issuer}
    discovery:  ${demo.issuer}/.well-known/openid-configuration
    clients:    pre-registered "${demo.preRegisteredClientId}" (public) and "${demo.confidentialClient.client_id}" (secret ${demo.confidentialClient.client_secret}) · Dynamic Client Registration · Client ID Metadata Documents
  Sign in as:  ${DEMO_ACCOUNTS.map((a) => `${a.username} / ${a.password}`).join('  or  ')}${autoApprove ? `   (MCP_DEMO_AUTO_APPROVE=1: ${DEMO_USER.username} is signed in and approved automatically)` : ''}
  Access tokens live ${tokenTtl} s (MCP_DEMO_TOKEN_TTL).

Next:
  node dist/cli.js connect ${demo.mcpUrl} --open        # sign in in your browser (dist/ was just built)
  node dist/cli.js tools ${demo.mixedUrl}               # public tools work before signing in
  node dist/cli.js call ${demo.mixedUrl} add_todo --args '{"title":"hi"}' --open --trace
  node dist/cli.js audit ${demo.misconfiguredUrl} ${autoApprove ? '--headless' : '--open'}   # every planted defect is a fail, with its fix${autoApprove ? '' : '\n      (with MCP_DEMO_AUTO_APPROVE=1 and --headless: two probes need a second sign-in without a person, else they skip)'}
  — or, in VS Code: "MCP Inspector: Connect to Server" and paste one of the URLs.

Press Ctrl-C to stop.
`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      console.log('Forced exit.');
      process.exit(1);
    }
    stopping = true;
    console.log(`\n${signal}: stopping the demo…`);
    demo.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`Could not stop cleanly: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const { code, message } = error as NodeJS.ErrnoException;
  if (code === 'EADDRINUSE') {
    console.error(`The demo could not start: ${message}. Another process uses that port; set MCP_DEMO_PORT / MCP_DEMO_AS_PORT (0 = any free port).`);
  } else {
    console.error(`The demo could not start: ${message}`);
  }
  process.exit(1);
});
