"""docs/concepts.md: every concept of the table (`teach.concepts`), generated so the docs cannot miss one."""
from __future__ import annotations

from ..teach.concepts import CONCEPTS, DEFAULT_SYMBOLS


def concepts_page() -> str:
    """Each concept with its id (the anchor a diagnostic links to), its name, the teacher's paragraph in
    the motivating network's symbols and the hint a lesson gives."""
    rows = [f"| [`{c.id}`](#{c.id}) | {c.name.format_map(DEFAULT_SYMBOLS)} |" for c in CONCEPTS.values()]
    sections = [f'<a id="{c.id}"></a>\n\n## {c.id}: {c.name.format_map(DEFAULT_SYMBOLS)}\n\n{c.explain()}\n\n'
                f"*Hint:* {c.hint}\n" for c in CONCEPTS.values()]
    return ("# Concepts\n\n"
            "Every mistake `shapetutor check` diagnoses is about one of these concepts. A diagnostic names it\n"
            "(`concept` in `check --json`), the terminal explains it once per check however often the mistake\n"
            "recurs, in the learner's own symbols (shown here with the motivating network's: x, W1, δ1, N),\n"
            "and lessons use the same hints. This file is generated from the table\n"
            "(`tutor/teach/concepts.py`); a test keeps it equal:\n"
            "`python -c 'from tutor.front.concepts_page import concepts_page; print(concepts_page(), end=\"\")'"
            " > docs/concepts.md`.\n\n"
            "| id | concept |\n|---|---|\n" + "\n".join(rows) + "\n\n" + "\n".join(sections))
