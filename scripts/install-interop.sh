#!/usr/bin/env bash
# Installs the real MCP framework the interop suite runs against (mcp-use, pinned) and the
# Node 22 its 2.x line requires (engines >=22.22.2) into a cache outside the clone, keyed by
# version. Two lines of mcp-use: 2.x (on SDK v2; OAuth only in front of an authorization server,
# "direct") and 1.x, the last line with `oauthProxy` (a DCR facade that injects a pre-registered
# client's secret), installed under the alias mcp-use-v1. Idempotent: a second run costs nothing. Prints the cache directory on stdout.
set -euo pipefail
SCRIPT_DIR="$(cd "$(dirname "$0")" && pwd)"
MCP_USE_VERSION="${MCP_USE_VERSION:-2.5.2}"
MCP_USE_V1_VERSION="${MCP_USE_V1_VERSION:-1.34.6}"
NODE22_VERSION="${NODE22_VERSION:-22.23.3}"
CACHE="${MCP_INSPECTOR_CACHE:-$HOME/.cache/mcp-oauth-inspector}/interop-$MCP_USE_VERSION-$MCP_USE_V1_VERSION-node$NODE22_VERSION"
if [ ! -f "$CACHE/.ok" ]; then
  mkdir -p "$CACHE"
  ( cd "$CACHE"
    [ -f package.json ] || echo '{"private":true,"type":"module"}' > package.json
    npm install --no-audit --no-fund --loglevel=error --save-exact "mcp-use@$MCP_USE_VERSION" "mcp-use-v1@npm:mcp-use@$MCP_USE_V1_VERSION" >&2
    test -f "$CACHE/node_modules/mcp-use/package.json"
    test -f "$CACHE/node_modules/mcp-use-v1/package.json"
  )
  touch "$CACHE/.ok"
fi
# The Node 22 it runs on, shared with the other tools (scripts/install-node.sh), as $CACHE/node.
NODE_HOME="$(bash "$SCRIPT_DIR/install-node.sh" "$NODE22_VERSION")"
ln -sfn "$NODE_HOME/bin/node" "$CACHE/node"
echo "$CACHE"
