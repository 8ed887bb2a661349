#!/usr/bin/env python3
"""Validate build files against schema/kiln.schema.json with an independent validator
(Python's `jsonschema`, Draft 7), as editors do.

- every file in examples/ must be valid;
- every bad file listed in tests/corpus/schema-rejects.txt must be rejected.

Exit status 0 when both hold. Needs `jsonschema` and `PyYAML` (scripts/test.sh installs them).
"""
import importlib.metadata
import json
import pathlib
import sys

import jsonschema
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent


def load_yaml(path):
    # YAML 1.1 vs 1.2 differences do not matter for these files; PyYAML is independent of kiln.
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def main():
    schema = json.loads((ROOT / "schema/kiln.schema.json").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    failures = []

    examples = sorted((ROOT / "examples").glob("*.yaml"))
    for path in examples:
        errors = list(validator.iter_errors(load_yaml(path)))
        for e in errors[:3]:
            where = "/".join(map(str, e.absolute_path)) or "(top level)"
            failures.append(f"{path.relative_to(ROOT)}: {where}: {e.message[:160]}")

    lines = (ROOT / "tests/corpus/schema-rejects.txt").read_text().splitlines()
    rejects = [name for line in lines if not line.startswith("#") for name in line.split()]
    for name in rejects:
        path = ROOT / "tests/corpus/bad" / f"{name}.kiln.yaml"
        if validator.is_valid(load_yaml(path)):
            failures.append(f"{path.relative_to(ROOT)}: the schema accepts this bad file")

    if failures:
        print("schema validation failed:", *failures, sep="\n  ")
        return 1
    version = importlib.metadata.version("jsonschema")
    print(f"schema: {len(examples)} examples valid, {len(rejects)} bad files rejected (jsonschema {version}, Draft 7)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
