# shellcheck shell=bash
# Sourced by the ops/bin scripts: puts Node 24 first on PATH, installing it from the npm registry
# when missing. npm under an older Node silently resolves older majors of our dependencies
# (@platformatic/kafka 1.x, the registry client 3.x), so nothing may run npm before this.
: "${LEDGERLINE_CACHE:=$HOME/.cache/ledgerline}"
NODE_MAJOR=24
node_dir="$LEDGERLINE_CACHE/node$NODE_MAJOR"

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(node_major node)" != "$NODE_MAJOR" ]; then
  if [ "$(node_major "$node_dir/node_modules/node/bin/node")" != "$NODE_MAJOR" ]; then
    if ! command -v npm >/dev/null; then
      echo "error: npm is needed once to fetch Node $NODE_MAJOR (install Node.js + npm, e.g. apt-get install nodejs npm)" >&2
      exit 1
    fi
    echo "› installing Node $NODE_MAJOR into $node_dir (npm registry package node@$NODE_MAJOR)" >&2
    mkdir -p "$node_dir"
    if ! npm install --prefix "$node_dir" --no-save --no-audit --no-fund --loglevel=error "node@$NODE_MAJOR" >"$node_dir/install.log" 2>&1; then
      echo "error: could not install node@$NODE_MAJOR from the npm registry (see $node_dir/install.log); check network access to the registry" >&2
      exit 1
    fi
  fi
  export PATH="$node_dir/node_modules/node/bin:$PATH"
fi
