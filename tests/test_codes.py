"""Diagnostic codes are registered objects: every code the tool emits is registered, explained,
documented and known to `explain`; errors carry their diagnostic whole (the E200 bug: a network's
shape error lost its code E201 and its caret on the way up)."""
from __future__ import annotations

import ast
import dataclasses
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from emitted_codes import EMITTED, unregistered
from tutor.cli import app
from tutor.engine.codes import CODES, Display, lookup
from tutor.engine.errors import ShapeError, TutorError
from tutor.engine.language.network import parse_network
from tutor.front.codes import codes_table
from tutor.judge import findings

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "tutor"
CODE = re.compile(r"[EWN]\d{3}")


def code_references() -> dict[str, str]:
    """Every code the source names: a string literal such as "E201", or a registered object such as
    `E201.at(...)` / `E201.code` (imported from engine.codes). code → the first file naming it."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "codes.py" and path.parent.name == "engine":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = None
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.fullmatch(node.value):
                name = node.value
            elif isinstance(node, ast.Name) and CODE.fullmatch(node.id):
                name = node.id
            if name is not None:
                found.setdefault(name, str(path.relative_to(ROOT)))
    return found


def test_every_code_the_source_names_is_registered():
    missing = {code: where for code, where in code_references().items() if code not in CODES}
    assert not missing, f"codes used but not registered in tutor/engine/codes.py: {missing}"


def test_every_registered_code_is_emitted_somewhere():
    unused = set(CODES) - set(code_references())
    assert not unused, f"registered codes that nothing emits: {sorted(unused)}"


def test_every_finding_emits_registered_codes_and_each_code_has_one_finder():
    emitted = [c.code for c in findings.emitted_codes()]
    assert all(lookup(c) is not None for c in emitted)
    assert len(emitted) == len(set(emitted)), "a code belongs to one finding"


@pytest.mark.parametrize("code", list(CODES))
def test_every_registered_code_is_explained(code):
    entry = CODES[code]
    assert entry.code == code and CODE.fullmatch(code)
    assert entry.severity == {"E": "error", "W": "warning", "N": "note"}[code[0]]
    assert entry.title and entry.explanation and entry.example
    result = runner.invoke(app, ["explain", code.lower()])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{code}: {entry.title}") and "Example:" in result.stdout


def test_explain_lists_the_registered_codes_for_an_unknown_one():
    result = runner.invoke(app, ["explain", "E200"])
    assert result.exit_code == 2 and "no diagnostic code 'E200'" in result.stderr
    assert ", ".join(CODES) in result.stderr


def test_the_docs_table_of_codes_is_the_registry():
    shown = (ROOT / "docs" / "codes.md").read_text(encoding="utf-8")
    assert shown == codes_table(), "docs/codes.md is generated: run the command at its top"
    listed = re.findall(r"^\| `([EWN]\d{3})` \|", shown, flags=re.M)
    assert listed == list(CODES)


def test_codes_emitted_so_far_in_this_run_are_registered():
    # the conftest plugin also checks this for the whole run, at its end
    assert EMITTED, "the Diagnostic constructor is watched"
    assert not unregistered()


def test_only_the_uncoded_error_is_shown_plain_and_one_note_marks_a_step_made_good():
    assert [c for c in CODES.values() if c.display is Display.PLAIN] == [CODES["E000"]]
    assert [c for c in CODES.values() if c.display is Display.MADE_GOOD] == [CODES["N214"]]


# -- errors carry their diagnostic whole ---------------------------------------------------------

BAD_MATMUL = "x: [1, Dx]\nW: [H, Dy]\nz = x @ W\nJ = sum(z)\n"


def test_a_shape_error_in_a_network_keeps_its_code_operands_and_caret():
    with pytest.raises(ShapeError) as caught:
        parse_network(BAD_MATMUL, "bad.net")
    error = caught.value
    assert error.code == "E201" and error.diagnostic.code == "E201"
    assert error.message.startswith("in the definition of z: ")
    assert error.op == "@" and len(error.operands) == 2
    assert error.caret is not None and (error.caret.line, error.caret.col, error.caret.end_col) == (3, 6, 7)
    assert error.origin == "bad.net" and error.source == BAD_MATMUL


def test_an_errors_diagnostic_is_frozen_and_amended_by_replacement():
    error = ShapeError("does not conform", code="E202", op="+", operands=((), ()), source="a + b")
    with pytest.raises(dataclasses.FrozenInstanceError):
        error.diagnostic.code = "E999"  # type: ignore[misc]
    amended = error.amended(message="in z: does not conform", origin="n.net")
    assert type(amended) is ShapeError and amended is not error
    assert amended.diagnostic == dataclasses.replace(error.diagnostic, message="in z: does not conform",
                                                     origin="n.net")
    assert (amended.code, amended.op, amended.source, str(amended)) == ("E202", "+", "a + b", "in z: does not conform")
    assert error.message == "does not conform"


def test_an_errors_kind_gives_its_default_code():
    assert TutorError.code == "E000" and ShapeError.code == "E203"
    assert TutorError("x").code == "E000" and ShapeError("x").code == "E203"
    assert ShapeError("x", code="E201").code == "E201"


def test_a_network_shape_error_through_the_cli_names_its_code_and_marks_the_operator(tmp_path):
    path = tmp_path / "bad.net"
    path.write_text(BAD_MATMUL, encoding="utf-8")
    result = runner.invoke(app, ["shapes", str(path), "--plain"])
    assert result.exit_code == 2
    err = result.stderr
    assert "error[E201]: in the definition of z: the inner dimensions" in err and "E200" not in err
    lines = err.splitlines()
    source_row = next(i for i, line in enumerate(lines) if line.endswith("z = x @ W"))
    assert lines[source_row + 1].endswith("--^--")
    assert lines[source_row + 1].index("^") == lines[source_row].index("@")
    shown = re.search(r"error\[(\w+)\]", err).group(1)
    assert runner.invoke(app, ["explain", shown]).exit_code == 0
    as_json = json.loads(runner.invoke(app, ["shapes", str(path), "--json"]).stdout)["error"]
    assert (as_json["code"], as_json["op"], as_json["line"], as_json["col"]) == ("E201", "@", 3, 4)


@pytest.mark.parametrize("source, code", [
    ("x: [1, Dx]\nW: [Dx, H]\nJ = x @ W\n", "E204"),                       # the loss is not a scalar
    ("P: [N, K]\ny: [N]\nq = P[y]\nJ = sum(q)\n", "E205"),                  # a float index array
])
def test_every_network_shape_error_has_a_registered_code(tmp_path, source, code):
    path = tmp_path / "bad.net"
    path.write_text(source, encoding="utf-8")
    result = runner.invoke(app, ["shapes", str(path)])
    assert result.exit_code == 2 and f"error[{code}]" in result.stderr, result.stderr
    assert runner.invoke(app, ["explain", code]).exit_code == 0


def test_the_front_shows_a_diagnostic_by_its_codes_display_hint():
    from io import StringIO

    from rich.console import Console

    from tutor.engine.diagnostics import Diagnostic
    from tutor.front.diagnostics import diagnostic_view
    from tutor.front.look import Look

    def shown(code: str) -> str:
        console = Console(file=StringIO(), width=100, no_color=True)
        console.print(diagnostic_view(Diagnostic(code, "error", "it went wrong"), "", Look(unicode=False)))
        return console.file.getvalue()

    assert shown("E000").startswith("error: it went wrong")
    assert shown("E201").startswith("error[E201]: it went wrong")
