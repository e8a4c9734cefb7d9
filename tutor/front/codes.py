"""The diagnostic codes as text: one code's explanation (`shapetutor explain CODE`) and the table of
every code (docs/codes.md), both drawn from the one registry in `engine.codes`."""
from __future__ import annotations

import textwrap

from ..engine.codes import CODES, Code


def explanation(entry: Code, width: int = 78) -> str:
    """The title, the explanation in paragraphs, and the example, as `explain` prints them."""
    paragraphs = [textwrap.fill(p.replace("\n", " "), width=width) for p in entry.explanation.split("\n\n")]
    example = textwrap.indent(textwrap.dedent("\n".join(line.strip() for line in entry.example.splitlines())),
                              "    ")
    return f"{entry.code}: {entry.title}\n\n" + "\n\n".join(paragraphs) + f"\n\nExample:\n{example}\n"


def codes_table() -> str:
    """docs/codes.md: every registered code with its severity and title, then each one's explanation."""
    rows = [f"| `{c.code}` | {c.severity} | {c.title} |" for c in CODES.values()]
    sections = []
    for c in CODES.values():
        example = textwrap.dedent("\n".join(line.rstrip() for line in c.example.splitlines()))
        sections.append(f"## {c.code}: {c.title}\n\n{c.explanation}\n\n```text\n{example}\n```\n")
    return ("# Diagnostic codes\n\n"
            "Every code `shapetutor` emits, in `check --json`'s `diagnostics`, in an error's JSON and\n"
            "after `error[…]` in the terminal. `shapetutor explain CODE` prints the same explanation.\n"
            "This file is generated from the registry (`tutor/engine/codes.py`); a test keeps it equal:\n"
            "`python -c 'from tutor.front.codes import codes_table; print(codes_table(), end=\"\")'"
            " > docs/codes.md`.\n\n"
            "| code | severity | what it means |\n|---|---|---|\n" + "\n".join(rows) + "\n\n" + "\n".join(sections))
