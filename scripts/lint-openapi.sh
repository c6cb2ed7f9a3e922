#!/usr/bin/env bash
# Lints the committed OpenAPI document (openapi/openapi.json) with Redocly's `recommended`
# ruleset (redocly.yaml). Exits non-zero on any error. Redocly CLI is installed once with npm into
# a folder under the cargo target directory (version pinned below), as scripts/schemathesis.sh
# does for its virtualenv; it needs Node.js 20 or later.
#
#   scripts/lint-openapi.sh [extra redocly lint arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

REDOCLY_VERSION=2.77.0
target_dir=${CARGO_TARGET_DIR:-$PWD/target}
prefix="$target_dir/redocly-cli"
redocly="$prefix/node_modules/.bin/redocly"

if ! "$redocly" --version 2>/dev/null | grep -qxF "$REDOCLY_VERSION"; then
    echo "installing @redocly/cli $REDOCLY_VERSION into $prefix" >&2
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-audit --no-fund --no-save --loglevel=error "@redocly/cli@$REDOCLY_VERSION"
fi

"$redocly" lint --config redocly.yaml "$@" openapi/openapi.json
