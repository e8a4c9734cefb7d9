"""What `--no-suggestion` must never print: the right formula in any spelling, found in a full check's
suggestion and help, and looked for in what a check without them prints (tests/test_no_answer_given_away.py,
and tests/test_homework_catalogue.py for every homework file with a mistake)."""
from __future__ import annotations

import json
import re
from io import StringIO
from pathlib import Path

from rich.console import Console

from tutor.front.homework import file_view
from tutor.front.look import Look
from tutor.homework.judge import check_file

#: A formula shorter than this (after `normalised`) is a name or two, not an answer (`dz2`, `W2.T`).
SHORTEST = 8


def normalised(text: str) -> str:
    """One spelling for code and mathematics alike: ᵀ is .T, ∘ and * and @ and spaces vanish, np. goes."""
    for a, b in (("ᵀ", ".T"), ("−", "-"), ("∘", ""), ("⊙", ""), ("·", ""), ("ŷ", "yhat"), ("²", "**2"),
                 ("³", "**3"), ("np.", ""), ("numpy.", ""), ("`", "")):
        text = text.replace(a, b)
    return re.sub(r"[\s@*]|[│╭╮╰╯─|^~]", "", text)


def right_lines(formula: str) -> list[str]:
    """The right-hand sides of a (possibly step-by-step) suggestion: each is an answer on its own."""
    out = []
    for line in formula.splitlines():
        rhs = line.split("=", 1)[1] if re.match(r"\s*[\w\[\]'\"]+\s*[-+*/]?=(?!=)", line) else line
        out.append(rhs.strip())
    return [line for line in out if line]


def leaks(output: str, answers: set[str]) -> list[str]:
    flat = normalised(output)
    return sorted(a for a in answers if a in flat)


def homework_leaks(path: Path, full, options: dict) -> list[str]:
    """What `check FILE --no-suggestion` prints of the answers that the full check `full` (made with
    `options`) would give, as text and as JSON, both made from one check as the command makes them."""
    own = normalised(path.read_text())
    answers: set[str] = set()
    for judged in full.gradients.values():
        r = judged.result
        if r is None or r.correct:
            continue
        for spelling in right_lines(r.suggestion or ""):
            answers.add(normalised(spelling))
        for d in r.diagnostics:
            if d.help is not None and d.help.replacement:
                answers.update(normalised(s) for s in right_lines(d.help.replacement))
    answers = {a for a in answers if len(a) >= SHORTEST and a not in own}
    withheld = check_file(str(path), **options, suggestion=False)
    assert not withheld.correct
    text = StringIO()
    Console(file=text, width=400, color_system=None).print(file_view(withheld, Look(unicode=False)), crop=False)
    found: list[str] = []
    for output in (text.getvalue(), json.dumps(withheld.to_json(), ensure_ascii=False)):
        found += leaks(output, answers)
    return found
