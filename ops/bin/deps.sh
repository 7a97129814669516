# shellcheck shell=bash
# Sourced: installs workspace dependencies from the lockfile when node_modules is missing or stale.
repo_root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
stamp="$repo_root/node_modules/.ledgerline-lock-stamp"
if [ ! -f "$stamp" ] || [ "$repo_root/package-lock.json" -nt "$stamp" ]; then
  echo "› installing dependencies (npm ci, Node $(node -v))"
  (cd "$repo_root" && npm ci --no-audit --no-fund --loglevel=error) || {
    echo "error: npm ci failed (see the output above); check network access to the npm registry" >&2
    exit 1
  }
  touch "$stamp"
fi
