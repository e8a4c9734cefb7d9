"""shapetutor from Python, as an instructor's notebook, a learner's notebook and an autograder use it.

The public face is `import tutor` (docs/python.md): `load`, `derive`, `check`, `assert_correct`, their
results, and `ShapetutorError` for the instructor's mistakes. Gradients are proven against the
independent NumPy oracle (tests/oracle.py), and every result is compared with what the command
line prints for the same input.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from typer.testing import CliRunner

import tutor
from oracle import verdict as oracle_verdict
from tutor.cli import app

HERE = Path(__file__).parent
NETWORKS = sorted(HERE.glob("networks/*.net"))
BUNDLED = ["default", "batch", "column", "vector", "mlp"]
D1 = "(yhat - y) @ W2.T * h * (1 - h)"
RIGHT = f"x.T @ ({D1})"
MOTIVATING = f"{D1} @ x"
ANSI = re.compile(r"\x1b\[")
runner = CliRunner()


def cli_json(*args: str) -> tuple[dict, int]:
    result = runner.invoke(app, list(args))
    return json.loads(result.stdout), result.exit_code


# -- the package's face ----------------------------------------------------------------------------

def test_the_public_names_are_few_documented_and_typed():
    assert set(tutor.__all__) == {"load", "derive", "check", "check_file", "assert_correct", "Network", "Derivation",
                                  "Gradient", "CheckResult", "FileResult", "Diagnostic", "ShapetutorError"}
    assert set(tutor.__all__) <= set(dir(tutor))
    for name in tutor.__all__:
        obj = getattr(tutor, name)
        assert obj.__doc__ and obj.__doc__.strip(), name
    for function in (tutor.load, tutor.derive, tutor.check, tutor.check_file, tutor.assert_correct):
        assert function.__annotations__.get("return"), function.__name__
    assert issubclass(tutor.ShapetutorError, Exception)
    with pytest.raises(AttributeError):
        tutor.no_such_name


def test_importing_tutor_and_naming_its_types_loads_neither_numpy_nor_rich_nor_typer():
    code = ("import sys, tutor\n"
            "tutor.CheckResult, tutor.Derivation, tutor.Network, tutor.ShapetutorError, tutor.Diagnostic, dir(tutor)\n"
            "loaded = [m for m in ('numpy', 'rich', 'typer') if m in sys.modules]\n"
            "assert not loaded, loaded\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_import_shapetutor_is_import_tutor():
    code = "import shapetutor, tutor\nassert shapetutor is tutor and shapetutor.check is tutor.check\n"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=HERE.parent)


# -- load --------------------------------------------------------------------------------------------

def test_a_network_is_a_bundled_name_a_path_or_source_text():
    by_name = tutor.load("batch")
    path = Path(tutor.__file__).parent / "examples" / "batch.net"
    by_path, by_str_path = tutor.load(path), tutor.load(str(path))
    by_text = tutor.load(path.read_text())
    for net in (by_name, by_path, by_str_path, by_text):
        assert net.loss == "J" and net.leaves["X"] == ("N", "Dx") and net.shapes["Z1"] == ("N", "H")
        assert net.dims == ("N", "Dx", "H", "Dy")
    assert tutor.load(by_name) is by_name
    assert by_text.origin == "<network>"
    assert tutor.load("x: [1, D]; J = sum(x * x)").leaves == {"x": (1, "D")}
    assert "batch" in repr(by_name) and len(repr(by_name)) < 200


@pytest.mark.parametrize("spec", BUNDLED + [str(p) for p in NETWORKS])
def test_a_networks_json_is_exactly_what_shapes_prints(spec):
    data, code = cli_json("shapes", spec, "--json")
    assert code == 0
    assert tutor.load(spec).to_json() == data
    dims = {name: 2 + i for i, name in enumerate(tutor.load(spec).dims)}
    text = ",".join(f"{k}={v}" for k, v in dims.items())
    data, _ = cli_json("shapes", spec, "--json", "--dims", text) if dims else (data, 0)
    assert tutor.load(spec).to_json(dims) == data == tutor.load(spec).to_json(text)


# -- instructor mistakes raise one documented type ------------------------------------------------

@pytest.mark.parametrize("call, says", [
    (lambda: tutor.load("no_such_network"), "no_such_network"),
    (lambda: tutor.load("nets/missing.net"), "cannot read"),
    (lambda: tutor.load("x: [1, D]\nJ = sum(x @ )"), "syntax"),
    (lambda: tutor.load(42), "int"),
    (lambda: tutor.derive("default", wrt="W9"), "wrt='W9'"),
    (lambda: tutor.derive("default", wrt="z1"), "a defined node, not a leaf"),
    (lambda: tutor.check("default", "W9", RIGHT), "wrt='W9'"),
    (lambda: tutor.check("default", "W1", RIGHT, dims={"Q": 3}), "does not use the dimension Q"),
    (lambda: tutor.check("default", "W1", RIGHT, dims={"H": 0}), "positive integer"),
    (lambda: tutor.check("default", "W1", RIGHT, dims={"H": 2.5}), "positive integer"),
    (lambda: tutor.check("default", "W1", RIGHT, dims="H=three"), "positive integer"),
    (lambda: tutor.check("default", "W1", RIGHT, dims=[3]), "mapping"),
    (lambda: tutor.check("nope", "W1", RIGHT), "nope"),
    (lambda: tutor.assert_correct("default", "W9", RIGHT), "W9"),
])
def test_instructor_mistakes_raise_shapetutor_error(call, says):
    with pytest.raises(tutor.ShapetutorError) as caught:
        call()
    assert says in str(caught.value)
    assert isinstance(caught.value, Exception) and caught.value.code


def test_a_network_error_is_located_in_its_source():
    with pytest.raises(tutor.ShapetutorError) as caught:
        tutor.load("x: [1, Dx]\nW: [H, Dy]\nz = x @ W\nJ = sum(z)")
    assert caught.value.span.line == 3
    assert str(caught.value).startswith("<network>:3:")


# -- derive ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("spec", BUNDLED + [str(p) for p in NETWORKS])
def test_derived_formulas_are_right_by_the_independent_oracle(spec):
    net = tutor.load(spec)
    d = tutor.derive(spec)
    assert d.verified and set(d.gradients) == set(net.leaves)
    for leaf, g in d.gradients.items():
        assert g.leaf == leaf and g.shape == net.leaves[leaf] and (g.formula is None or str(g) == g.formula)
        assert all(f.shape == net.shapes[f.of] + net.shapes[f.wrt] for f in g.chain)
        # the oracle runs plain NumPy: the language's own helpers, and comparisons as 1.0/0.0, are not NumPy's
        if g.formula is not None and not re.search(r"\b(onehot|eye|einsum)\(|[<>]", g.formula):
            assert oracle_verdict(net.source, leaf, g.formula, dims=d.dims) == "correct", (leaf, g.formula)


@pytest.mark.parametrize("spec", BUNDLED + [str(p) for p in NETWORKS[:6]])
def test_a_derivations_json_is_exactly_what_derive_prints(spec):
    data, code = cli_json("derive", spec, "--json")
    assert code == 0
    assert tutor.derive(spec).to_json() == data
    data, code = cli_json("derive", spec, "--json", "--wrt", tutor.load(spec).loss and next(iter(data["gradients"])),
                          "--no-verify")
    one = tutor.derive(spec, wrt=next(iter(data["gradients"])), verify=False)
    assert one.to_json() == data and not one.verified
    assert data["verification"]["skipped"] and data["verification"]["worst_relative_error"] is None


def test_a_derivation_reads_as_derive_prints_it():
    d = tutor.derive("default", wrt="W1", dims={"Dx": 5, "H": 3, "Dy": 4})
    text = str(d)
    assert not ANSI.search(text)
    assert "∂z1/∂W1" in text and "1×H×Dx×H" in text and "x.T @ ((yhat - y) @ W2.T * h * (1 - h))" in text
    assert "verified numerically" in text
    assert "W1" in repr(d) and len(repr(d)) < 200
    assert d.verification == {"verified": True, "worst_relative_error": d.verification["worst_relative_error"],
                              "draws": d.verification["draws"], "dims": {"Dx": 5, "H": 3, "Dy": 4}, "skipped": None}
    page = parse_html(d._repr_html_())
    assert "1×H×Dx×H" in page.text and page.tags_seen <= {"pre", "span"}


# -- check -------------------------------------------------------------------------------------------

CHECKS = [("default", "W1", RIGHT, "correct"), ("default", "W1", MOTIVATING, "shape_error"),
          ("default", "W1", f"({D1}).T @ x", "transposed"), ("default", "W1", f"2 * x.T @ ({D1})", "scaled"),
          ("default", "b1", "sum(yhat - y)", "wrong_shape"), ("default", "W2", "h.T @ (y - yhat) * 3", "scaled"),
          ("default", "W1", "x.T @ ((yhat - y) @ W2.T * z1 * (1 - z1))", "wrong_value"),
          ("batch", "W1", "X.T @ ((Yhat - Y) @ W2.T * H1 * (1 - H1)) / N", "correct"),
          ("column", "W1", "((W2.T @ (yhat - y)) * h * (1 - h)) @ x.T", "correct"),
          ("default", "W1", "dz2 = yhat - y\ndh = dz2 @ W2.T\ndz1 = dh * h\nx.T @ dz1", "wrong_value")]


@pytest.mark.parametrize("net, wrt, text, expected", CHECKS)
def test_check_gives_the_verdict_and_exactly_the_cli_json(net, wrt, text, expected):
    result = tutor.check(net, wrt, text)
    assert result.verdict == expected and result.correct == (expected == "correct")
    assert result.wrt == wrt and result.derivation == text
    assert result.expected_shape == tutor.load(net).leaves[wrt]
    data, code = cli_json("check", net, "--wrt", wrt, "--json", "--", text)
    assert result.to_json() == data and code == (0 if result.correct else 1)
    assert oracle_verdict(tutor.load(net).source, wrt, text) == expected


def test_a_shape_error_names_the_failing_operation_with_its_place():
    result = tutor.check("default", "W1", MOTIVATING, dims={"Dx": 5, "H": 3, "Dy": 4})
    first = result.diagnostics[0]
    assert (first.code, first.severity, first.op) == ("E201", "error", "@")
    assert (first.line, first.col, first.end_col) == (1, 0, 35)
    assert result.suggestion == RIGHT and result.shape is None and result.value_ok is None
    text = str(result)
    assert not ANSI.search(text)
    lines = text.splitlines()
    source_row = next(i for i, line in enumerate(lines) if line.endswith(MOTIVATING))
    assert "^" in lines[source_row + 1] and "1×Dx = 1×5" in lines[source_row + 1]
    # the help is the fix, a change to the learner's text: the whole answer is not printed again beside it
    assert "note:" in text and f"help: write `{RIGHT}`" in text and "suggestion:" not in text
    # prose is never broken into lines: a notebook or a test report wraps it to its own width
    assert any(len(line) > 100 and line.lstrip().startswith("= note:") for line in lines)


def test_steps_are_judged_one_by_one():
    result = tutor.check("default", "W1", "dz2 = yhat - y\ndh = dz2 @ W2.T\ndz1 = dh * h\ndW1 = x.T @ dz1")
    assert [(s.name, s.claims, s.shape_ok, s.value_ok) for s in result.steps] == [
        ("dz2", "z2", True, True), ("dh", "h", True, True), ("dz1", "z1", True, False), ("dW1", "W1", True, False)]
    assert "dz1 = dh * h * (1 - h)" in str(result)


UNUSABLE = [("x.T @ (", "E100"), ("h.T @ (yhat - y) @ W3", "E101"), ("(lambda a: a)(x)", "E100"),
            ("x.T.foo", "E100"), ("", None), ("   \n  ", None), ("dW1 = x.T @ dz1", "E101"),
            ("__import__('os').system('true')", None), ("x.T @ (<script>alert(1)</script>)", "E100")]


@pytest.mark.parametrize("text, code", UNUSABLE)
def test_learner_text_that_cannot_be_used_is_a_result_never_an_exception(text, code):
    result = tutor.check("default", "W1", text)
    assert result.verdict == "unusable" and not result.correct
    first = result.diagnostics[0]
    assert first.severity == "error" and first.message
    if code:
        assert first.code == code and first.line is not None and first.col is not None
    assert result.suggestion is None and result.steps == () and result.shape is None
    data, exit_code = cli_json("check", "default", "--wrt", "W1", "--json", "--", text)
    assert exit_code == 2 and data == result.to_json()
    assert "error" in str(result) and not ANSI.search(str(result))


@pytest.mark.parametrize("answer", [None, Ellipsis, 3, ["x.T @ dz1"], b"x.T"])
def test_an_answer_that_is_not_text_is_unusable(answer):
    result = tutor.check("default", "W1", answer)
    assert result.verdict == "unusable" and type(answer).__name__ in result.diagnostics[0].message
    with pytest.raises(AssertionError) as caught:
        tutor.assert_correct("default", "W1", answer)
    assert "not text" in str(caught.value)


@pytest.mark.parametrize("net, wrt, text, expected", [c for c in CHECKS if c[3] != "correct"])
def test_no_suggestion_keeps_every_fix_back(net, wrt, text, expected):
    full = tutor.check(net, wrt, text)
    graded = tutor.check(net, wrt, text, suggestion=False)
    assert graded.verdict == full.verdict and len(graded.diagnostics) == len(full.diagnostics)
    assert graded.suggestion is None and all(d.help is None for d in graded.diagnostics)
    assert [d.message for d in graded.diagnostics] == [d.message for d in full.diagnostics]
    data = graded.to_json()
    assert data["suggestion"] is None and not any("help" in d for d in data["diagnostics"])
    assert "help:" not in str(graded) and "suggestion" not in str(graded)
    cli, _ = cli_json("check", net, "--wrt", wrt, "--json", "--no-suggestion", "--", text)
    assert cli == data
    if full.suggestion:  # shown only where the learner wrote it themselves
        assert str(graded).count(full.suggestion) == text.count(full.suggestion)


# -- assert_correct: one line in a test cell -------------------------------------------------------------

def test_assert_correct_returns_the_result_when_right():
    result = tutor.assert_correct("default", "W1", RIGHT)
    assert result.correct


def test_assert_correct_raises_the_plain_diagnosis():
    with pytest.raises(AssertionError) as caught:
        tutor.assert_correct("default", "W1", MOTIVATING, dims={"Dx": 5, "H": 3, "Dy": 4})
    message = str(caught.value)
    assert message == str(tutor.check("default", "W1", MOTIVATING, dims="Dx=5,H=3,Dy=4"))
    assert "error[E201]" in message and f"help: write `{RIGHT}`" in message
    with pytest.raises(AssertionError) as caught:
        tutor.assert_correct("default", "W1", MOTIVATING, suggestion=False)
    assert "error[E201]" in str(caught.value) and RIGHT not in str(caught.value)
    with pytest.raises(AssertionError) as caught:
        tutor.assert_correct("default", "W1", "x.T @ (")
    assert "error[E100]" in str(caught.value) and "x.T @ (" in str(caught.value)


# -- how results look in a notebook and in rich -------------------------------------------------------

class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags_seen: set[str] = set()
        self.chunks: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags_seen.add(tag)

    def handle_data(self, data):
        self.chunks.append(data)

    @property
    def text(self) -> str:
        return "".join(self.chunks)


def parse_html(markup: str) -> Page:
    page = Page()
    page.feed(markup)
    page.close()
    return page


def test_a_notebook_shows_the_learners_line_the_underline_the_note_and_the_help():
    result = tutor.check("default", "W1", MOTIVATING, dims={"Dx": 5, "H": 3, "Dy": 4})
    markup = result._repr_html_()
    assert markup.startswith("<pre") and markup.rstrip().endswith("</pre>")
    page = parse_html(markup)
    assert page.tags_seen <= {"pre", "span"}
    assert page.text.strip() == str(result).strip()  # the same diagnosis as the plain text, drawn in colour
    rows = page.text.splitlines()
    source_row = next(i for i, row in enumerate(rows) if row.endswith(MOTIVATING))
    assert "^" in rows[source_row + 1]
    assert "= note:" in page.text and "= help:" in page.text
    assert "color:" in markup  # errors are coloured, and never only coloured: ✗ and error[E201] say it too
    assert "#010203" not in markup and "color: #000000" not in markup  # plain text keeps the notebook's colour


@pytest.mark.parametrize("text", ["x.T @ (<script>alert(1)</script>)", "dz1 = yhat - y  # </pre><script>x</script>",
                                  "x.T @ ((yhat - y) @ W2.T * h * (1 - h)) # <b>&amp;</b>",
                                  "dz2 = yhat - y\ndh = dz2 @ W2.T  # <img src=x onerror=alert(1)>\nx.T @ (dh * h)"])
def test_learner_text_is_escaped_in_the_notebook(text):
    result = tutor.check("default", "W1", text)
    markup = result._repr_html_()
    page = parse_html(markup)
    assert page.tags_seen <= {"pre", "span"}, page.tags_seen  # no <script>, <img>, <b> smuggled in
    assert "<script" not in markup and "<img" not in markup and "<b>" not in markup
    first_line = text.splitlines()[0]
    if result.diagnostics and result.diagnostics[0].line == 1:
        assert first_line in page.text  # shown as the learner typed it, as text


def test_results_are_rich_renderables():
    from rich.console import Console
    for shown in (tutor.check("default", "W1", MOTIVATING), tutor.derive("default", wrt="b1"), tutor.load("mlp")):
        console = Console(file=StringIO(), width=120, color_system=None)
        console.print(shown)
        assert console.file.getvalue().strip()
    console = Console(file=StringIO(), width=120, color_system=None)
    console.print(tutor.check("default", "W1", MOTIVATING))
    assert "error[E201]" in console.file.getvalue()


def test_a_network_shows_its_shapes():
    net = tutor.load("batch")
    assert "N×Dx" in str(net) and "Z1" in str(net)
    page = parse_html(net._repr_html_())
    assert "N×Dx" in page.text and page.tags_seen <= {"pre", "span"}


def test_reprs_are_short():
    for obj in (tutor.check("default", "W1", MOTIVATING), tutor.derive("mlp"), tutor.load("mlp"),
                tutor.derive("mlp").gradients["W1"]):
        assert len(repr(obj)) < 300 and repr(obj).startswith("<tutor.")
