#!/usr/bin/env bash
# Installs the official MCP conformance suite and the Node 22 it needs (it imports fs.globSync)
# into a cache outside the clone, keyed by version. Idempotent: a second run costs nothing.
# Prints the cache directory on stdout.
set -euo pipefail
CONF_VERSION="${CONF_VERSION:-0.2.0-alpha.12}"   # scripts/conformance.mjs passes the version it gates on
NODE22_VERSION="${NODE22_VERSION:-22.23.3}"
CACHE="${MCP_INSPECTOR_CACHE:-$HOME/.cache/mcp-oauth-inspector}/conformance-$CONF_VERSION-node$NODE22_VERSION"
if [ ! -f "$CACHE/.ok" ]; then
  mkdir -p "$CACHE"
  ( cd "$CACHE"
    [ -f package.json ] || echo '{"private":true}' > package.json
    # node@22's own install script links the binary; allow it explicitly.
    npm install --no-audit --no-fund --loglevel=error "node@$NODE22_VERSION" "@modelcontextprotocol/conformance@$CONF_VERSION" >&2
    npm rebuild node >&2 || true
    "$CACHE/node_modules/.bin/node" --version >&2
    test -f "$CACHE/node_modules/@modelcontextprotocol/conformance/dist/index.js"
  )
  touch "$CACHE/.ok"
fi
echo "$CACHE"
