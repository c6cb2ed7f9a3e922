#!/usr/bin/env bash
# Validates docker-compose.yml without a Docker engine: YAML, the Compose Specification JSON schema
# (vendored in deploy/compose-spec.json, see deploy/README.md) and cross references (see
# scripts/check_compose.py). PyYAML and jsonschema come from PyPI into a venv under target/
# (created once, a few seconds), so the check does not depend on what the machine's Python has.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${CARGO_TARGET_DIR:-target}/compose-check-venv"
if ! "$venv/bin/python" -c 'import yaml, jsonschema' 2>/dev/null; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'PyYAML==6.0.3' 'jsonschema==4.26.0'
fi
"$venv/bin/python" scripts/check_compose.py docker-compose.yml deploy/compose-spec.json
