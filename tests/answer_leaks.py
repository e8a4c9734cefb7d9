"""What `--no-suggestion` must never print: the right formula in any spelling, found in a full check's
suggestion and help, and looked for in what a check without them prints (tests/test_no_answer_given_away.py;
beside the full check they make anyway, tests/test_course_code.py and tests/test_course_numpy.py for every
course mistake and tests/test_homework_catalogue.py for every homework file with a mistake)."""
from __future__ import annotations

import json
import re
from io import StringIO
from pathlib import Path

from rich.console import Console

from tutor.engine.errors import TutorError
from tutor.front.diagnostics import check_view, diagnostic_view
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


def forbidden(network, wrt: str, full, learner: str) -> set[str]:
    """The answer in every spelling, from the full check `full` of the learner's text and from `derive`, less
    what the learner wrote themselves (the output may quote it)."""
    from tutor.engine.language.printer import code, math
    from tutor.teach.derivation import derive
    spellings: set[str] = set()
    if full.suggestion:
        spellings.update(right_lines(full.suggestion))
    for d in full.diagnostics:
        if d.help is not None and d.help.replacement:
            spellings.update(right_lines(d.help.replacement))
    try:
        g = derive(network, network.bindings({}), wrt=wrt, check=False).gradients[wrt]
        if g.printable:
            spellings.update({code(g.formula), math(g.formula)})
    except TutorError:
        pass
    own = normalised(learner)
    return {s for s in map(normalised, spellings) if len(s) >= SHORTEST and s not in own}


def derivation_leaks(network, wrt: str, derivation: str, full) -> list[str]:
    """What `check --no-suggestion` prints for a derivation in code of the answers the full check `full` gives,
    as text (the view, or the diagnostics of text it cannot use) and as JSON, both made from one check as
    the command makes them."""
    from tutor.judge.check import check
    answers = forbidden(network, wrt, full, derivation)
    withheld = check(network, wrt, derivation, suggestion=False)
    text = StringIO()
    out = Console(file=text, width=400, color_system=None)
    if withheld.verdict == "unusable":
        for d in withheld.diagnostics:
            out.print(diagnostic_view(d, withheld.source, Look(unicode=False)), crop=False)
    else:
        out.print(check_view(withheld, Look(unicode=False)), crop=False)
    return sorted({leak for output in (text.getvalue(), json.dumps(withheld.to_json(), ensure_ascii=False))
                   for leak in leaks(output, answers)})
