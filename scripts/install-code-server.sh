#!/usr/bin/env bash
# Installs code-server (VS Code's workbench + Node extension host, from npm) and the Debian
# packages it needs, into a cache outside the clone, keyed by version. Idempotent: a warm run
# only checks a marker file and `dpkg -s`, so it costs well under a second.
# Versions: 4.100.3 (= VS Code 1.100.3, the oldest the manifest accepts) runs on this machine's
# Node 20; 4.139.1 (= current stable VS Code) needs Node 24, which the npm package `node@24` brings
# (binary and headers) into the cache, and its native modules are built against those headers.
# Prints the path of a launcher on stdout (an executable that runs code-server on the Node it
# needs, arguments passed through); everything else goes to stderr.
#
#   MCP_INSPECTOR_CACHE   cache root (default ~/.cache/mcp-oauth-inspector)
#   CODE_SERVER_VERSION   default 4.100.3
set -euo pipefail
SCRIPT_DIR="$(cd "$(dirname "$0")" && pwd)"

CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.100.3}"
CACHE_ROOT="${MCP_INSPECTOR_CACHE:-$HOME/.cache/mcp-oauth-inspector}"
DEST="$CACHE_ROOT/code-server-$CODE_SERVER_VERSION"
MARKER="$DEST/.ok-$CODE_SERVER_VERSION"
ENTRY="$DEST/node_modules/code-server/out/node/entry.js"
LAUNCHER="$DEST/code-server"
# The Node major each version is built for (its package.json `engines.node`).
case "$CODE_SERVER_VERSION" in
  4.100.*) NODE_MAJOR=20 ;;
  *) NODE_MAJOR=24 ;;
esac
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"

log() { echo "[install-code-server] $*" >&2; }

# 1. Debian packages (native build deps for the VS Code server modules, ripgrep, the browser).
APT_PACKAGES=(libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config ripgrep chromium build-essential python3)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  mkdir -p "$CACHE_ROOT"
  APT_LOG="$CACHE_ROOT/apt-install.log"
  if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$APT_LOG" 2>&1; then
    tail -n 30 "$APT_LOG" >&2
    log "apt-get failed (full log: $APT_LOG)"
    exit 1
  fi
fi

# 2. The Node it runs on: this machine's for 4.100.x; Node 24 from the npm registry for newer ones.
NODE_BIN="$(command -v node)"
if [ "$NODE_MAJOR" != "20" ]; then
  NODE_HOME="$(bash "$SCRIPT_DIR/install-node.sh" "$NODE24_VERSION")"
  NODE_BIN="$NODE_HOME/bin/node"
  # npm, node-gyp and the install scripts below run on that Node and build against its headers.
  export PATH="$NODE_HOME/bin:$PATH"
  export npm_config_nodedir="$NODE_HOME"
fi

# 3. code-server itself, only when the version marker is missing.
if [ ! -f "$MARKER" ]; then
  node_major="$(node -p 'process.versions.node.split(".")[0]')"
  if [ "$node_major" != "$NODE_MAJOR" ]; then
    log "warning: code-server $CODE_SERVER_VERSION is built for Node $NODE_MAJOR; this is Node $(node --version)"
  fi
  # node-gyp needs Node's headers and cannot download them here (only npm + Debian are reachable):
  # point it at the headers that ship next to this node binary when npm has no nodedir configured.
  if [ -z "${npm_config_nodedir:-}" ] && [ -z "$(npm config get nodedir 2>/dev/null | grep -v '^undefined$' || true)" ]; then
    node_prefix="$(dirname "$(dirname "$(command -v node)")")"
    if [ -f "$node_prefix/include/node/node.h" ]; then export npm_config_nodedir="$node_prefix"; fi
  fi
  log "installing code-server $CODE_SERVER_VERSION into $DEST (a few minutes, once)"
  rm -rf "$DEST"
  mkdir -p "$DEST"
  cd "$DEST"
  echo '{"private":true}' > package.json
  # Its postinstall downloads ripgrep from GitHub and refuses to run as root: do its steps by hand.
  npm install --no-audit --no-fund --loglevel=error --ignore-scripts "code-server@$CODE_SERVER_VERSION" >&2

  CS="$DEST/node_modules/code-server"
  ( cd "$CS/lib/vscode"
    npm install --no-audit --no-fund --loglevel=error --omit=dev --ignore-scripts >&2
    # @vscode/ripgrep's postinstall skips the GitHub download when bin/ exists: use Debian's rg.
    mkdir -p node_modules/@vscode/ripgrep/bin
    ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
    # node-pty's install script calls npx, which needs `yes` to proceed non-interactively.
    npm_config_yes=true npm rebuild --loglevel=error >&2
    ln -sfn node_modules node_modules.asar
    # The two links code-server's own postinstall would make.
    ln -sf code-linux.sh bin/remote-cli/code-server
    ln -sf browser-linux.sh bin/helpers/browser.sh
  )
  ( cd "$CS/lib/vscode/extensions"
    npm install --no-audit --no-fund --loglevel=error --omit=dev >&2
  )
  ( cd "$CS/node_modules/argon2" 2>/dev/null || cd "$DEST/node_modules/argon2"
    if grep -q '"node-gyp-build"' package.json; then
      # argon2 ≥ 0.40 (code-server 4.1xx current): node-gyp-build, built here against the headers above
      npm_config_yes=true npx --yes node-gyp rebuild >&2
    else
      npm_config_yes=true npx --yes node-pre-gyp install --fallback-to-build >&2
    fi
  )
  # Smoke check: the entry point loads and reports its version.
  # (XDG_CONFIG_HOME: don't let the smoke check write ~/.config/code-server/config.yaml.)
  XDG_CONFIG_HOME="$DEST/.xdg-config" XDG_DATA_HOME="$DEST/.xdg-data" "$NODE_BIN" "$ENTRY" --version >&2
  touch "$MARKER"
  log "code-server $CODE_SERVER_VERSION ready"
fi

# 4. The launcher: code-server on its Node (written every run: cheap, and old caches get one too).
printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$NODE_BIN" "$ENTRY" > "$LAUNCHER.tmp"
chmod +x "$LAUNCHER.tmp"
mv -f "$LAUNCHER.tmp" "$LAUNCHER"
echo "$LAUNCHER"
