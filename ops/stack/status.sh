#!/usr/bin/env bash
# One line per service: running/stopped, pid, address, resident memory.
# Exit status 0 when everything runs, 3 when something is stopped.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

print_status
