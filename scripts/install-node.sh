#!/usr/bin/env bash
# Installs one Node.js release from the npm registry (the package `node@VERSION`, which brings the
# whole release — bin/ and include/ — as its platform package) into the cache outside the clone,
# shared by everything here that needs a Node other than the machine's: the conformance suite and
# the interop servers (Node 22), code-server 4.139 (Node 24, whose native modules build against
# include/). Idempotent: a warm run only checks a marker. Prints the release's folder (NODE_HOME:
# NODE_HOME/bin/node, NODE_HOME/include/node) on stdout; everything else goes to stderr.
#
#   scripts/install-node.sh 22.23.3
set -euo pipefail
VERSION="${1:?usage: install-node.sh <version>}"
DIR="${MCP_INSPECTOR_CACHE:-$HOME/.cache/mcp-oauth-inspector}/node-$VERSION"
home() { for d in "$DIR"/node_modules/node/node_modules/node-*; do [ -x "$d/bin/node" ] && { echo "$d"; return 0; }; done; return 1; }
if [ ! -f "$DIR/.ok" ]; then
  echo "[install-node] installing Node $VERSION (npm package node@$VERSION) into $DIR" >&2
  rm -rf "$DIR"; mkdir -p "$DIR"
  ( cd "$DIR" && echo '{"private":true}' > package.json \
    && npm install --no-audit --no-fund --loglevel=error "node@$VERSION" >&2 )
  NODE_HOME="$(home)"
  test -f "$NODE_HOME/include/node/node.h"
  "$NODE_HOME/bin/node" --version >&2
  touch "$DIR/.ok"
fi
home
