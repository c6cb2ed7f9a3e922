#!/usr/bin/env python3
"""Checks a Compose file without a Docker engine.

1. YAML parses (PyYAML safe_load; duplicate keys are refused, as Compose refuses them).
2. ${VAR} / ${VAR:-default} / ${VAR-default} / ${VAR:?err} are interpolated the way Compose does
   (unset variables become their default or the empty string), then the document is validated
   against the Compose Specification JSON schema vendored in deploy/compose-spec.json
   (JSON Schema draft-07, checked with the `jsonschema` package). Like Compose, the schema
   accepts strings where numbers go (interpolation), so `replicas: "two"` passes here too.
3. Cross references the schema cannot see: `depends_on` names defined services, named volumes
   are declared at the top level, bind-mount sources and build contexts exist.

It also proves it can fail: a few broken variants of the same file must each be refused.

Usage: check_compose.py COMPOSE_FILE SCHEMA_JSON
"""

import copy
import json
import os
import re
import sys

import jsonschema
import yaml


class UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep)


VARIABLE = re.compile(r"\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


def interpolate(value):
    """Compose-style variable interpolation of every string in the document."""
    if isinstance(value, dict):
        return {k: interpolate(v) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v) for v in value]
    if not isinstance(value, str):
        return value

    def substitute(m):
        if m.group(0) == "$$":
            return "$"
        name = m.group(1) or m.group(4)
        op, arg = m.group(2), m.group(3)
        current = os.environ.get(name)
        if op in (":-", "-"):
            unset = current is None or (op == ":-" and current == "")
            return arg if unset else current
        if op in (":?", "?"):
            if current is None or (op == ":?" and current == ""):
                raise ValueError(f"required variable {name} is not set: {arg}")
        return current or ""

    return VARIABLE.sub(substitute, value)


def cross_reference_errors(doc, base_dir):
    errors = []
    services = doc.get("services") or {}
    declared_volumes = set((doc.get("volumes") or {}).keys())
    for name, service in services.items():
        depends = service.get("depends_on") or []
        for dep in depends if isinstance(depends, list) else depends.keys():
            if dep not in services:
                errors.append(f"services.{name}.depends_on: no service named {dep!r}")
        for volume in service.get("volumes") or []:
            if isinstance(volume, str):
                source = volume.split(":", 1)[0] if ":" in volume else None  # no colon: anonymous volume
            else:
                source = volume.get("source")
            if not source:
                continue
            if source.startswith((".", "/", "~")):
                if not os.path.exists(os.path.join(base_dir, source)):
                    errors.append(f"services.{name}.volumes: bind source {source!r} does not exist")
            elif source not in declared_volumes:
                errors.append(f"services.{name}.volumes: volume {source!r} is not declared under top-level volumes")
        build = service.get("build")
        context = build if isinstance(build, str) else (build or {}).get("context")
        if context and not os.path.isdir(os.path.join(base_dir, context)):
            errors.append(f"services.{name}.build: context {context!r} does not exist")
        dockerfile = (build or {}).get("dockerfile", "Dockerfile") if isinstance(build, dict) else "Dockerfile"
        if context and not os.path.isfile(os.path.join(base_dir, context, dockerfile)):
            errors.append(f"services.{name}.build: {dockerfile!r} not found in {context!r}")
    return errors


def check(doc, validator, base_dir):
    """Returns the list of problems of an already parsed document."""
    try:
        doc = interpolate(doc)
    except ValueError as e:
        return [str(e)]
    errors = []
    for error in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
        where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
        errors.append(f"{where}: {error.message}")
    return errors + cross_reference_errors(doc, base_dir)


def broken_variants(doc):
    """Variants of a valid document that a working checker must refuse."""
    first = next(iter(doc["services"]))

    def variant(mutate):
        d = copy.deepcopy(doc)
        mutate(d)
        return d

    yield "unknown top-level key", variant(lambda d: d.update(servicez={}))
    yield "unknown service key", variant(lambda d: d["services"][first].update(imagee="x"))
    yield "ports not a list", variant(lambda d: d["services"][first].update(ports="8080:80"))
    yield "replicas a list", variant(lambda d: d["services"][first].update(deploy={"replicas": [2]}))
    yield "depends_on an unknown service", variant(lambda d: d["services"][first].update(depends_on=["nope"]))


def main():
    compose_path, schema_path = sys.argv[1], sys.argv[2]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    # The schema says draft-07 (its $schema URL lacks the trailing '#' that jsonschema looks up).
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    base_dir = os.path.dirname(os.path.abspath(compose_path))
    with open(compose_path, encoding="utf-8") as f:
        try:
            doc = yaml.load(f, Loader=UniqueKeyLoader)
        except yaml.YAMLError as e:
            print(f"{compose_path}: not valid YAML: {e}", file=sys.stderr)
            return 1
    errors = check(doc, validator, base_dir)
    if errors:
        print(f"{compose_path}: {len(errors)} problem(s):", file=sys.stderr)
        for error in errors:
            print(f"  {error}", file=sys.stderr)
        return 1
    for what, bad in broken_variants(doc):
        if not check(bad, validator, base_dir):
            print(f"self-test failed: a variant with {what} was accepted", file=sys.stderr)
            return 1
    services = ", ".join(doc["services"])
    print(f"{compose_path}: valid Compose file (services: {services}; schema {os.path.basename(schema_path)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
