# shellcheck shell=bash
# Sourced: installs workspace dependencies from the lockfile when node_modules is missing or stale.
repo_root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
stamp="$repo_root/node_modules/.ledgerline-lock-stamp"
if [ ! -f "$stamp" ] || [ "$repo_root/package-lock.json" -nt "$stamp" ]; then
  echo "› installing dependencies from package-lock.json (Node $(node -v))"
  # `npm install`, not `npm ci`: registries that serve only this platform's optional packages
  # (e.g. no @biomejs/cli-darwin-*) make `npm ci` reject the lockfile as out of sync.
  (cd "$repo_root" && npm install --no-audit --no-fund --loglevel=error) || {
    echo "error: npm install failed (see the output above); check network access to the npm registry" >&2
    exit 1
  }
  touch "$stamp"
fi
