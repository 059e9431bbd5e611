import assert from 'node:assert/strict';
import { MAX_CONFIG_BYTES, MAX_SERVERS, isSecretName, isSecretValue, parseMcpConfig } from '../../../src/core/config/parseConfig';
import type { ImportedServer } from '../../../src/core/config/parseConfig';

function byName(servers: ImportedServer[], name: string): ImportedServer {
  const s = servers.find((x) => x.name === name);
  assert.ok(s, `server "${name}" in ${JSON.stringify(servers.map((x) => x.name))}`);
  return s;
}

describe('config/parseConfig parseMcpConfig', () => {
  describe('VS Code mcp.json', () => {
    const text = `// .vscode/mcp.json — a realistic workspace file
{
  "inputs": [
    { "type": "promptString", "id": "github-pat", "description": "GitHub Personal Access Token", "password": true },
    { "type": "promptString", "id": "api-key", "description": "API key", "password": true },
  ],
  /* Servers the team shares */
  "servers": {
    "github": {
      "type": "http",
      "url": "https://api.githubcopilot.com/mcp/",
      "headers": { "Authorization": "Bearer \${input:github-pat}", "X-Client": "vscode // not a comment" },
    },
    "legacy-events": { "type": "sse", "url": "https://events.example.com/sse" },
    "todo-demo": { "url": "http://localhost:5080/mcp" }, // no type: inferred
    "local-sse": { "url": "http://127.0.0.1:9000/sse/" },
    "fetch": {
      "type": "stdio",
      "command": "uvx",
      "args": ["mcp-server-fetch", "--root", "\${workspaceFolder}"],
      "env": { "LOG_LEVEL": "debug", "API_KEY": "\${input:api-key}", "PORT": 8080, "UNSET": null },
      "envFile": "\${workspaceFolder}/.env",
      "cwd": "\${workspaceFolder}/tools",
    },
  },
}
`;
    const { servers, error, warnings } = parseMcpConfig(text, 'vscode-workspace', '/w/.vscode/mcp.json');

    it('reads every server, with comments, // inside strings and trailing commas', () => {
      assert.equal(error, undefined);
      assert.deepEqual(warnings, []);
      assert.deepEqual(
        servers.map((s) => [s.name, s.kind, s.importable]),
        [
          ['github', 'http', true],
          ['legacy-events', 'sse', true],
          ['todo-demo', 'http', true],
          ['local-sse', 'sse', true],
          ['fetch', 'stdio', true],
        ],
      );
      for (const s of servers) {
        assert.equal(s.source, 'vscode-workspace');
        assert.equal(s.sourcePath, '/w/.vscode/mcp.json');
      }
    });

    it('http: keeps the url as written and drops the Authorization header', () => {
      const gh = byName(servers, 'github');
      assert.equal(gh.url, 'https://api.githubcopilot.com/mcp/');
      assert.deepEqual(gh.headers, { 'X-Client': 'vscode // not a comment' });
      assert.deepEqual(gh.droppedSecrets, ['Authorization']);
      assert.deepEqual(gh.placeholders, ['${input:github-pat}']);
      assert.equal(gh.command, undefined);
    });

    it('stdio: command, args, env (numbers as strings, null left out, secrets dropped), cwd, placeholders', () => {
      const f = byName(servers, 'fetch');
      assert.equal(f.command, 'uvx');
      assert.deepEqual(f.args, ['mcp-server-fetch', '--root', '${workspaceFolder}']);
      assert.deepEqual(f.env, { LOG_LEVEL: 'debug', PORT: '8080' });
      assert.deepEqual(f.droppedSecrets, ['API_KEY']);
      assert.equal(f.cwd, '${workspaceFolder}/tools');
      assert.deepEqual(f.placeholders, ['${workspaceFolder}', '${input:api-key}']);
      assert.ok(f.problems.some((p) => /envFile/.test(p)));
      assert.equal(f.url, undefined);
    });

    it('reads VS Code settings.json "mcp": { "servers" }', () => {
      const r = parseMcpConfig('{ "editor.fontSize": 14, "mcp": { "servers": { "a": { "url": "https://a.example/mcp" } } } }', 'vscode-user', '/u/settings.json');
      assert.equal(r.error, undefined);
      assert.equal(byName(r.servers, 'a').kind, 'http');
    });

    it('an explicit type wins over a /sse path, and stdio/http aliases are understood', () => {
      const r = parseMcpConfig(
        JSON.stringify({
          servers: {
            a: { type: 'http', url: 'https://a.example/sse' },
            b: { type: 'streamable-http', url: 'https://b.example/mcp' },
            c: { type: 'STDIO', command: 'node', args: ['s.js'] },
          },
        }),
        'vscode-user',
        '/u/mcp.json',
      );
      assert.deepEqual(r.servers.map((s) => s.kind), ['http', 'http', 'stdio']);
    });
  });

  describe('Cursor mcp.json', () => {
    const text = `{
  "mcpServers": {
    "linear": { "url": "https://mcp.linear.app/sse" },
    "notion": { "url": "https://mcp.notion.com/mcp", "headers": { "X-Api-Key": "secret-value", "Accept-Language": "en" } },
    "events": { "url": "https://events.example.com/stream", "transport": "sse" },
    "streamable": { "url": "https://s.example.com/sse-ish/mcp", "type": "streamableHttp" },
    "github": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-github"],
      "env": { "GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "GITHUB_HOST": "github.com" }
    },
    "remote-bridge": {
      "command": "npx",
      "args": ["mcp-remote", "https://r.example/mcp", "--header", "Authorization: Bearer abc.def", "--api-key=sk-abcdefghijklmnopqrstuv", "--token", "plain", "--verbose"]
    }
  }
}`;
    const { servers, error } = parseMcpConfig(text, 'cursor', '/home/u/.cursor/mcp.json');

    it('url → http, /sse path or transport "sse" → sse, command → stdio', () => {
      assert.equal(error, undefined);
      assert.deepEqual(
        servers.map((s) => [s.name, s.kind, s.importable]),
        [
          ['linear', 'sse', true],
          ['notion', 'http', true],
          ['events', 'sse', true],
          ['streamable', 'http', true],
          ['github', 'stdio', true],
          ['remote-bridge', 'stdio', true],
        ],
      );
    });

    it('drops secret headers and env vars by name', () => {
      const n = byName(servers, 'notion');
      assert.deepEqual(n.headers, { 'Accept-Language': 'en' });
      assert.deepEqual(n.droppedSecrets, ['X-Api-Key']);
      const g = byName(servers, 'github');
      assert.deepEqual(g.env, { GITHUB_HOST: 'github.com' });
      assert.deepEqual(g.droppedSecrets, ['GITHUB_PERSONAL_ACCESS_TOKEN']);
    });

    it('replaces secret arguments by placeholders and never returns their values', () => {
      const r = byName(servers, 'remote-bridge');
      assert.deepEqual(r.args, ['mcp-remote', 'https://r.example/mcp', '--header', '${input:arg3}', '--api-key=${input:arg4}', '--token', '${input:arg6}', '--verbose']);
      assert.deepEqual(r.droppedSecrets, ['args[3]', 'args[4]', 'args[6]']);
      assert.deepEqual(r.placeholders, ['${input:arg3}', '${input:arg4}', '${input:arg6}']);
      const all = JSON.stringify(servers);
      for (const secret of ['abc.def', 'sk-abcdefghijklmnopqrstuv', 'plain', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'secret-value']) {
        assert.ok(!all.includes(secret), `${secret} leaked`);
      }
    });
  });

  describe('Claude Desktop claude_desktop_config.json', () => {
    const text = `{
  "globalShortcut": "Ctrl+Space",
  "mcpServers": {
    "filesystem": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-filesystem", "/Users/me/Desktop", "/Users/me/Downloads"]
    },
    "brave-search": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-brave-search"],
      "env": { "BRAVE_API_KEY": "BSA123" }
    },
    "windows-tool": { "command": "C:\\\\Program Files\\\\nodejs\\\\node.exe", "args": ["C:\\\\tools\\\\server.js"] }
  }
}`;
    it('reads stdio servers, drops the API key, keeps Windows paths', () => {
      const { servers, error } = parseMcpConfig(text, 'claude-desktop', '/home/u/.config/Claude/claude_desktop_config.json');
      assert.equal(error, undefined);
      assert.deepEqual(servers.map((s) => [s.name, s.kind, s.importable]), [
        ['filesystem', 'stdio', true],
        ['brave-search', 'stdio', true],
        ['windows-tool', 'stdio', true],
      ]);
      assert.deepEqual(byName(servers, 'filesystem').args, ['-y', '@modelcontextprotocol/server-filesystem', '/Users/me/Desktop', '/Users/me/Downloads']);
      const brave = byName(servers, 'brave-search');
      assert.equal(brave.env, undefined);
      assert.deepEqual(brave.droppedSecrets, ['BRAVE_API_KEY']);
      assert.equal(byName(servers, 'windows-tool').command, 'C:\\Program Files\\nodejs\\node.exe');
    });
  });

  describe('VS Code user settings.json ("mcp", before mcp.json)', () => {
    const text = `// settings.json of an older VS Code
{
  "editor.fontSize": 14, // a comment
  /* block comment */
  "mcp": {
    "inputs": [{ "type": "promptString", "id": "tok", "password": true },],
    "servers": {
      "remote": { "type": "http", "url": "https://mcp.example.com/mcp", "headers": { "Authorization": "Bearer \${input:tok}", "X-Team": "core", }, },
      "templated": { "type": "sse", "url": "https://\${input:host}/sse" },
      "bad": { "url": "javascript:alert(1)" },
      "local": { "command": "node", "args": ["s.js", "--api-key", "sk-abcdefghijklmnopqrstuv"], "env": { "GITHUB_TOKEN": "ghp_abcdefghijklmnopqrstuvwxyz0123" } },
    },
  },
  "files.trimTrailingWhitespace": true,
}`;

    it('reads "mcp.servers" with comments and trailing commas; secrets dropped, placeholders kept, schemes checked', () => {
      const r = parseMcpConfig(text, 'vscode-user-settings', '/home/u/.config/Code/User/settings.json');
      assert.equal(r.error, undefined);
      assert.deepEqual(r.warnings, []);
      assert.deepEqual(r.servers.map((s) => [s.name, s.kind, s.importable, s.source]), [
        ['remote', 'http', true, 'vscode-user-settings'],
        ['templated', 'sse', true, 'vscode-user-settings'],
        ['bad', 'http', false, 'vscode-user-settings'],
        ['local', 'stdio', true, 'vscode-user-settings'],
      ]);
      const remote = byName(r.servers, 'remote');
      assert.deepEqual(remote.headers, { 'X-Team': 'core' });
      assert.deepEqual(remote.droppedSecrets, ['Authorization']);
      assert.deepEqual(remote.placeholders, ['${input:tok}']);
      assert.equal(byName(r.servers, 'templated').url, 'https://${input:host}/sse');
      assert.match(byName(r.servers, 'bad').problems.join(' '), /^url /);
      const local = byName(r.servers, 'local');
      assert.deepEqual(local.args, ['s.js', '--api-key', '${input:arg2}']);
      assert.equal(local.env, undefined);
      assert.ok(!JSON.stringify(r).includes('sk-abcdefghijklmnopqrstuv'));
      assert.ok(!JSON.stringify(r).includes('ghp_abcdefghijklmnopqrstuvwxyz0123'));
    });

    it('a settings.json without "mcp" (the usual case) is neither an error nor a warning, on either separator', () => {
      for (const path of ['/home/u/.config/Code/User/settings.json', 'C:\\Users\\me\\AppData\\Roaming\\Code\\User\\profiles\\-6a1b\\settings.json', 'Settings.JSON']) {
        const r = parseMcpConfig('{ "editor.fontSize": 14, // c\n "mcp": { "inputs": [] }, }', 'vscode-profile', path);
        assert.deepEqual(r, { servers: [], warnings: [] }, path);
      }
      assert.deepEqual(parseMcpConfig('{}', 'vscodium-user-settings', '/u/settings.json'), { servers: [], warnings: [] });
    });

    it('still reports a settings.json that cannot be read, and any other file without servers', () => {
      assert.match(parseMcpConfig('{ "a": 1 "b": 2 }', 'vscode-user-settings', '/u/settings.json').error ?? '', /not valid JSON/);
      assert.match(parseMcpConfig('[]', 'vscode-user-settings', '/u/settings.json').error ?? '', /not a JSON object/);
      assert.match(parseMcpConfig('{ "editor.fontSize": 14 }', 'vscode-user', '/u/mcp.json').error ?? '', /no "servers"/);
      assert.match(parseMcpConfig('{}', 'other', '/u/settings.json.bak').error ?? '', /no "servers"/);
    });
  });

  describe('Windsurf mcp_config.json', () => {
    // https://docs.windsurf.com/windsurf/cascade/mcp: Claude Desktop's schema; remote servers use
    // "serverUrl" (or "url"); ${env:VAR} interpolation in command, args, env, serverUrl, url, headers.
    const text = `{
  "mcpServers": {
    "github": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-github"],
      "env": { "GITHUB_PERSONAL_ACCESS_TOKEN": "<YOUR_PERSONAL_ACCESS_TOKEN>" },
      "disabled": false
    },
    "figma": { "serverUrl": "https://figma.example.com/sse" },
    "remote-http": {
      "serverUrl": "https://\${env:MCP_HOST}/mcp",
      "headers": { "Authorization": "Bearer \${env:AUTH_TOKEN}", "X-Region": "eu" }
    },
    "plain-url": { "url": "https://plain.example.com/mcp" },
    "evil": { "serverUrl": "file:///etc/passwd" },
    "broken": { "serverUrl": 42 }
  }
}`;
    const { servers, error, warnings } = parseMcpConfig(text, 'windsurf', '/home/u/.codeium/windsurf/mcp_config.json');

    it('serverUrl (and url) → http, /sse → sse, command → stdio', () => {
      assert.equal(error, undefined);
      assert.deepEqual(warnings, []);
      assert.deepEqual(servers.map((s) => [s.name, s.kind, s.importable]), [
        ['github', 'stdio', true],
        ['figma', 'sse', true],
        ['remote-http', 'http', true],
        ['plain-url', 'http', true],
        ['evil', 'http', false],
        ['broken', 'http', false],
      ]);
      assert.equal(byName(servers, 'figma').url, 'https://figma.example.com/sse');
      assert.equal(byName(servers, 'plain-url').url, 'https://plain.example.com/mcp');
      for (const s of servers) assert.equal(s.source, 'windsurf');
    });

    it('keeps ${env:…} placeholders, drops the Authorization header and the token variable', () => {
      const r = byName(servers, 'remote-http');
      assert.equal(r.url, 'https://${env:MCP_HOST}/mcp');
      assert.deepEqual(r.headers, { 'X-Region': 'eu' });
      assert.deepEqual(r.droppedSecrets, ['Authorization']);
      assert.deepEqual(r.placeholders, ['${env:MCP_HOST}', '${env:AUTH_TOKEN}']);
      const g = byName(servers, 'github');
      assert.equal(g.env, undefined);
      assert.deepEqual(g.droppedSecrets, ['GITHUB_PERSONAL_ACCESS_TOKEN']);
    });

    it('checks the scheme of serverUrl and names a serverUrl that is not a string', () => {
      assert.ok(byName(servers, 'evil').problems.some((p) => /^url /.test(p)), byName(servers, 'evil').problems.join('; '));
      assert.equal(byName(servers, 'evil').url, undefined);
      assert.deepEqual(byName(servers, 'broken').problems, ['serverUrl is not a string']);
    });
  });

  describe('URL policy', () => {
    const refused = [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      ' javascript:alert(1)',
      'java\tscript:alert(1)',
      'file:///etc/passwd',
      'data:text/html,<script>alert(1)</script>',
      'vscode://ms-vscode.something/run',
      'command:workbench.action.terminal.new',
      'vbscript:msgbox',
      'ftp://files.example.com/mcp',
    ];
    for (const url of refused) {
      it(`refuses ${JSON.stringify(url)} with a clear problem, not importable`, () => {
        const r = parseMcpConfig(JSON.stringify({ mcpServers: { bad: { url } } }), 'cursor', '/c');
        assert.equal(r.error, undefined);
        const s = byName(r.servers, 'bad');
        assert.equal(s.importable, false);
        assert.ok(s.problems.some((p) => /^url /.test(p) && /refused|not a valid|control/.test(p)), s.problems.join('; '));
      });
    }

    it('refuses plain http to a non-loopback host unless allowed', () => {
      const text = JSON.stringify({ servers: { lab: { type: 'http', url: 'http://lab.internal:8080/mcp' } } });
      const r1 = parseMcpConfig(text, 'vscode-user', '/u');
      assert.equal(r1.servers[0].importable, false);
      assert.match(r1.servers[0].problems[0], /plain http/);
      const r2 = parseMcpConfig(text, 'vscode-user', '/u', { allowHttpHosts: ['lab.internal'] });
      assert.equal(r2.servers[0].importable, true);
    });

    it('reports missing url, missing command and unknown types', () => {
      const r = parseMcpConfig(
        JSON.stringify({
          servers: {
            a: { type: 'http' },
            b: { type: 'stdio', args: ['x'] },
            c: { type: 'websocket', url: 'wss://c.example' },
            d: { type: 'http', url: 42 },
            e: {},
          },
        }),
        'vscode-user',
        '/u',
      );
      const problems = Object.fromEntries(r.servers.map((s) => [s.name, s]));
      assert.deepEqual(problems.a.problems, ['missing url']);
      assert.deepEqual(problems.b.problems, ['missing command']);
      assert.match(problems.c.problems[0], /type "websocket" is not one this inspector supports/);
      assert.deepEqual(problems.d.problems, ['url is not a string']);
      assert.deepEqual(problems.e.problems, ['missing command']);
      assert.ok(r.servers.every((s) => !s.importable));
    });

    it('keeps placeholders in an https url and checks the scheme around them', () => {
      const r = parseMcpConfig(
        JSON.stringify({
          servers: {
            tpl: { type: 'http', url: 'https://${input:host}/mcp' },
            only: { type: 'http', url: '${input:url}' },
            hidden: { type: 'http', url: '${input:x}javascript:alert(1)' },
          },
        }),
        'vscode-workspace',
        '/w',
      );
      const tpl = byName(r.servers, 'tpl');
      assert.equal(tpl.importable, true);
      assert.equal(tpl.url, 'https://${input:host}/mcp');
      assert.deepEqual(tpl.placeholders, ['${input:host}']);
      assert.ok(tpl.problems.some((p) => /placeholders/.test(p)));
      assert.equal(byName(r.servers, 'only').importable, false);
      assert.equal(byName(r.servers, 'hidden').importable, false);
    });

    it('a placeholder in the port position is probed as a port: a loopback template imports, a hidden scheme still does not', () => {
      const r = parseMcpConfig(
        JSON.stringify({
          servers: {
            port: { type: 'http', url: 'http://localhost:${input:port}/mcp' },
            path: { type: 'http', url: 'https://example.com/${input:tenant}/mcp' },
            plainHttp: { type: 'http', url: 'http://public.example:${input:port}/mcp' },
            evil: { type: 'http', url: 'javascript://x:${input:port}/alert(1)' },
          },
        }),
        'vscode-workspace',
        '/w',
      );
      assert.equal(byName(r.servers, 'port').importable, true);
      assert.equal(byName(r.servers, 'port').url, 'http://localhost:${input:port}/mcp');
      assert.equal(byName(r.servers, 'path').url, 'https://example.com/${input:tenant}/mcp', 'kept as written, not percent-encoded');
      assert.equal(byName(r.servers, 'plainHttp').importable, false, 'plain http off loopback is still refused');
      assert.equal(byName(r.servers, 'evil').importable, false);
    });

    it('removes user info and secret query parameters from the url', () => {
      const r = parseMcpConfig(
        JSON.stringify({ mcpServers: { q: { url: 'https://user:pw@q.example/mcp?api_key=abc123&region=eu&x=Bearer%20zzz' } } }),
        'cursor',
        '/c',
      );
      const q = r.servers[0];
      assert.equal(q.importable, true);
      assert.equal(q.url, 'https://q.example/mcp?region=eu');
      assert.deepEqual(q.droppedSecrets, ['url user info', 'url query "api_key"', 'url query "x"']);
      assert.ok(!JSON.stringify(q).includes('abc123'));
      assert.ok(!JSON.stringify(q).includes('pw@'));
    });
  });

  describe('hostile input', () => {
    it('refuses files over 1 MB without parsing them', () => {
      const big = `{"servers":{},"pad":"${'x'.repeat(MAX_CONFIG_BYTES)}"}`;
      const r = parseMcpConfig(big, 'other', '/big.json');
      assert.deepEqual(r.servers, []);
      assert.match(r.error ?? '', /larger than 1024 KB/);
      // multi-byte characters count as bytes
      const wide = `{"servers":{},"pad":"${'é'.repeat(MAX_CONFIG_BYTES / 2 + 10)}"}`;
      assert.match(parseMcpConfig(wide, 'other', '/w').error ?? '', /larger/);
    });

    it('ignores __proto__ server names and keys without polluting any prototype', () => {
      const text = `{
        "__proto__": { "servers": { "ghost": { "url": "https://ghost.example" } } },
        "servers": {
          "__proto__": { "url": "https://evil.example/mcp", "polluted": true },
          "constructor": { "url": "https://c.example/mcp" },
          "ok": { "url": "https://ok.example/mcp", "headers": { "__proto__": { "polluted": "yes" }, "X-A": "1" }, "__proto__": { "type": "stdio" } }
        }
      }`;
      const r = parseMcpConfig(text, 'vscode-workspace', '/w');
      assert.equal(r.error, undefined);
      assert.deepEqual(r.servers.map((s) => s.name), ['constructor', 'ok']);
      const ok = byName(r.servers, 'ok');
      assert.equal(ok.kind, 'http');
      assert.deepEqual(ok.headers, { 'X-A': '1' });
      assert.equal(Object.getPrototypeOf(ok.headers), Object.prototype);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined);
      // a top-level "__proto__" cannot smuggle in a servers object
      const only = parseMcpConfig('{"__proto__": {"servers": {"ghost": {"url": "https://g.example"}}}}', 'other', '/x');
      assert.deepEqual(only.servers, []);
      assert.ok(only.error);
    });

    it('handles non-object values everywhere without throwing', () => {
      for (const text of ['null', '42', '"str"', '[]', 'true', '', '   ', '// only a comment', '{', '{"servers": [1,2]}', '{"servers": null}', '{"mcpServers": "x"}']) {
        const r = parseMcpConfig(text, 'other', '/x');
        assert.deepEqual(r.servers, [], text);
        assert.ok(r.error || r.warnings.length > 0, `no error or warning for ${JSON.stringify(text)}`);
      }
      const mixed = parseMcpConfig(
        JSON.stringify({
          mcpServers: {
            num: 1,
            nul: null,
            arr: [],
            str: 'https://x.example',
            good: { command: 'node', args: ['a', 1, true, null, { x: 1 }], env: ['A=1'], headers: 'x', cwd: 7 },
          },
        }),
        'cursor',
        '/c',
      );
      assert.equal(mixed.error, undefined);
      assert.deepEqual(mixed.servers.map((s) => s.name), ['good']);
      assert.equal(mixed.warnings.length, 4);
      assert.match(mixed.warnings[0], /server "num" in "mcpServers" is a number, not an object; it was skipped/);
      const good = mixed.servers[0];
      assert.equal(good.importable, true);
      assert.deepEqual(good.args, ['a', '1', 'true']);
      assert.equal(good.env, undefined);
      assert.equal(good.problems.length, 4); // args[3], args[4], env, cwd
    });

    it('reports a syntax error with line and column', () => {
      const r = parseMcpConfig('{\n  "servers": {\n    "a": { "url": "https://a" }\n    "b": {}\n  }\n}', 'vscode-user', '/u');
      assert.deepEqual(r.servers, []);
      assert.match(r.error ?? '', /CommaExpected at line 4, column 5/);
    });

    it('survives pathological nesting', () => {
      const deep = '{"servers":{"a":' + '['.repeat(200_000) + ']'.repeat(200_000) + '}}';
      const r = parseMcpConfig(deep, 'other', '/d');
      assert.deepEqual(r.servers, []);
      assert.ok(r.error);
      const deepish = '{"servers":{"a":{"url":"https://a.example","x":' + '{"y":'.repeat(100) + '1' + '}'.repeat(100) + '}}}';
      assert.match(parseMcpConfig(deepish, 'other', '/d').error ?? '', /nested deeper/);
    });

    it(`caps 10,000 servers at ${MAX_SERVERS} with a note`, () => {
      const many: Record<string, unknown> = {};
      for (let i = 0; i < 10_000; i++) many[`s${i}`] = { url: `https://s${i}.example/mcp` };
      const r = parseMcpConfig(JSON.stringify({ mcpServers: many }), 'cursor', '/c');
      assert.equal(r.error, undefined);
      assert.equal(r.servers.length, MAX_SERVERS);
      assert.equal(r.servers[0].name, 's0');
      assert.deepEqual(r.warnings, [`only the first ${MAX_SERVERS} servers were read; 9500 more were skipped`]);
    });

    it('strips control, bidi and zero-width characters from names', () => {
      const r = parseMcpConfig(
        JSON.stringify({
          mcpServers: {
            'evil\u0000\u001b[31mname\u0007': { url: 'https://a.example/mcp' },
            'good\u202e\u200bname': { url: 'https://b.example/mcp' },
            '\u0001\u0002': { url: 'https://c.example/mcp' },
            ['x'.repeat(5000)]: { url: 'https://d.example/mcp' },
          },
        }),
        'cursor',
        '/c',
      );
      assert.deepEqual(
        r.servers.map((s) => s.name),
        ['evil[31mname', 'goodname', 'unnamed', 'x'.repeat(200)],
      );
      assert.ok(r.servers[0].problems.some((p) => /control or invisible/.test(p)));
      assert.ok(r.servers[2].problems.some((p) => /name is empty/.test(p)));
      for (const s of r.servers) assert.doesNotMatch(s.name, /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e]/);
    });

    it('keeps names unique when cleaning makes two equal', () => {
      const r = parseMcpConfig(JSON.stringify({ mcpServers: { 'a\u0001': { command: 'x' }, a: { command: 'y' } } }), 'cursor', '/c');
      assert.deepEqual(r.servers.map((s) => s.name), ['a', 'a (2)']);
    });

    it('drops headers with invalid names or CR/LF in values (header injection)', () => {
      const r = parseMcpConfig(
        JSON.stringify({ servers: { h: { type: 'http', url: 'https://h.example', headers: { 'X-Ok': 'v', 'Bad Name': 'v', 'X-Inject': 'a\r\nX-Evil: 1' } } } }),
        'vscode-user',
        '/u',
      );
      const h = r.servers[0];
      assert.deepEqual(h.headers, { 'X-Ok': 'v' });
      assert.equal(h.problems.length, 2);
    });

    it('refuses a command with control characters', () => {
      const r = parseMcpConfig(JSON.stringify({ mcpServers: { c: { command: 'node\nrm -rf /' } } }), 'claude-desktop', '/c');
      assert.equal(r.servers[0].importable, false);
      assert.equal(r.servers[0].command, undefined);
    });

    it('accepts a UTF-8 BOM', () => {
      const r = parseMcpConfig('\uFEFF{"servers":{"a":{"url":"https://a.example"}}}', 'vscode-user', '/u');
      assert.equal(r.error, undefined);
      assert.equal(r.servers.length, 1);
    });
  });

  describe('secret detection', () => {
    it('by name', () => {
      for (const n of ['Authorization', 'Proxy-Authorization', 'X-Api-Key', 'apikey', 'GITHUB_TOKEN', 'CLIENT_SECRET', 'DB_PASSWORD', 'Cookie', 'X-Auth', 'AWS_SESSION_TOKEN', 'credentials_file']) {
        assert.ok(isSecretName(n), n);
      }
      for (const n of ['Accept', 'X-Client', 'LOG_LEVEL', 'GIT_AUTHOR_NAME', 'PORT', 'HOME']) assert.ok(!isSecretName(n), n);
    });
    it('by value, whatever the name', () => {
      for (const v of ['Bearer abc', 'basic dXNlcjpwdw==', 'sk-ant-api03-abcdefghijklmnop', 'ghp_0123456789abcdefghijklmnop', 'github_pat_0123456789abcdefghijklmno', 'xoxb-1234567890-abc', 'AKIAABCDEFGHIJKLMNOP', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig']) {
        assert.ok(isSecretValue(v), v);
      }
      for (const v of ['debug', 'https://x.example', '${input:token}', 'en', 'skip-this']) assert.ok(!isSecretValue(v), v);
      const r = parseMcpConfig(JSON.stringify({ mcpServers: { s: { command: 'x', env: { UPSTREAM: 'Bearer abc' } } } }), 'cursor', '/c');
      assert.deepEqual(r.servers[0].droppedSecrets, ['UPSTREAM']);
      assert.equal(r.servers[0].env, undefined);
    });
  });
});
