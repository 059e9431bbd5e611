#!/usr/bin/env bash
# Installs the official MCP conformance suite and the Node 22 it needs (it imports fs.globSync)
# into a cache outside the clone, keyed by version. Idempotent: a second run costs nothing.
# Prints the cache directory on stdout.
set -euo pipefail
SCRIPT_DIR="$(cd "$(dirname "$0")" && pwd)"
CONF_VERSION="${CONF_VERSION:-0.2.0-alpha.12}"   # scripts/conformance.mjs passes the version it gates on
NODE22_VERSION="${NODE22_VERSION:-22.23.3}"
CACHE="${MCP_INSPECTOR_CACHE:-$HOME/.cache/mcp-oauth-inspector}/conformance-$CONF_VERSION-node$NODE22_VERSION"
if [ ! -f "$CACHE/.ok" ]; then
  mkdir -p "$CACHE"
  ( cd "$CACHE"
    [ -f package.json ] || echo '{"private":true}' > package.json
    npm install --no-audit --no-fund --loglevel=error "@modelcontextprotocol/conformance@$CONF_VERSION" >&2
    test -f "$CACHE/node_modules/@modelcontextprotocol/conformance/dist/index.js"
  )
  touch "$CACHE/.ok"
fi
# The Node 22 it runs on, shared with the other tools (scripts/install-node.sh), as $CACHE/node.
NODE_HOME="$(bash "$SCRIPT_DIR/install-node.sh" "$NODE22_VERSION")"
ln -sfn "$NODE_HOME/bin/node" "$CACHE/node"
echo "$CACHE"
