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
# The file requires TECHMATCH_JWT_SECRET (`${TECHMATCH_JWT_SECRET:?…}`, no published fallback):
# without it the check must refuse, as Compose does; with one it must pass.
if env -u TECHMATCH_JWT_SECRET "$venv/bin/python" scripts/check_compose.py docker-compose.yml deploy/compose-spec.json \
    >/dev/null 2>&1; then
    echo "docker-compose.yml starts without TECHMATCH_JWT_SECRET; it must refuse" >&2
    exit 1
fi
TECHMATCH_JWT_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n') \
    "$venv/bin/python" scripts/check_compose.py docker-compose.yml deploy/compose-spec.json
if grep -Eq '^[^#]*techmatch demo' docker-compose.yml; then
    echo "docker-compose.yml runs techmatch demo: demo accounts are opt-in, never in the deployable file" >&2
    exit 1
fi
