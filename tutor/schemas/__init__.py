"""JSON Schemas (draft 2020-12) of what `--json` prints, one per output; docs/json.md describes every key.

    import jsonschema, tutor.schemas
    jsonschema.validate(tutor.check("default", "W1", text).to_json(), tutor.schemas.load("check"))
"""
from __future__ import annotations

import json
from importlib import resources

#: Output → schema file: `shapes --json`, `derive --json`, `check --json`, `lesson grade --json`, `lesson run --json`,
#: `lesson grade --answers DIR --json`, `check FILE.py --json` (homework) and `ask --json`.
NAMES = ("shapes", "derive", "check", "grade", "lesson-run", "grade-class", "homework", "ask")


def load(name: str) -> dict:
    """The schema of one output, by name (one of NAMES)."""
    if name not in NAMES:
        raise ValueError(f"no schema named {name!r}; the schemas are {', '.join(NAMES)}")
    return json.loads((resources.files(__name__) / f"{name}.schema.json").read_text(encoding="utf-8"))
