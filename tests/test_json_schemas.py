"""Every `--json` output against the JSON Schema that ships inside the package, on real output.

The outputs are produced for many networks, derivations, lessons and answers (the bundled
examples, tests/networks, the tensor and course catalogues, the check catalogue), through the
command line and through Python. docs/json.md must describe every key and every verdict the
schemas allow.
"""
from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

import tutor
import tutor.schemas
from tutor.cli import app
from tutor.course.lesson import bundled

HERE = Path(__file__).parent
ROOT = HERE.parent
runner = CliRunner()
VALIDATORS = {name: jsonschema.Draft202012Validator(tutor.schemas.load(name)) for name in tutor.schemas.NAMES}


def valid(name: str, data: dict) -> None:
    errors = sorted(VALIDATORS[name].iter_errors(data), key=lambda e: list(e.path))
    assert not errors, f"{name}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def networks() -> list[tuple[str, str]]:
    """(id, network) for everything shapetutor reads today: names, files, catalogue sources."""
    from catalogue.course_code import CASES as COURSE
    from catalogue.tensor_networks import NETWORKS as TENSORS
    out = [(name, name) for name in ("default", "batch", "column", "vector", "mlp")]
    out += [(p.stem, str(p)) for p in sorted(HERE.glob("networks/*.net"))]
    out += [(f"tensor:{n.id}", n.network) for n in TENSORS]
    out += [(f"course:{c.id}", c.network) for c in COURSE[::7]]
    return out


NETWORKS = networks()


def loadable() -> list[tuple[str, tutor.Network]]:
    out = []
    for name, spec in NETWORKS:
        try:
            out.append((name, tutor.load(spec)))
        except tutor.ShapetutorError:
            pass
    return out


def test_the_schemas_are_valid_and_ship_in_the_package():
    for name in tutor.schemas.NAMES:
        jsonschema.Draft202012Validator.check_schema(tutor.schemas.load(name))
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "tutor.schemas" in config["tool"]["setuptools"]["packages"]
    assert "*.json" in config["tool"]["setuptools"]["package-data"]["tutor.schemas"]
    assert "jsonschema" in " ".join(config["project"]["optional-dependencies"]["test"])
    with pytest.raises(ValueError):
        tutor.schemas.load("nothing")


def test_shapes_and_derive_on_many_networks():
    nets = loadable()
    assert len(nets) >= 20, [n for n, _ in nets]
    for name, net in nets:
        valid("shapes", net.to_json())
        dims = {d: 2 + i for i, d in enumerate(net.dims)}
        valid("shapes", net.to_json(dims))
        try:
            derivation = tutor.derive(net)
        except tutor.ShapetutorError as error:  # a network whose numbers cannot be drawn yet
            assert error.message
            continue
        data = derivation.to_json()
        valid("derive", data)
        assert data["verification"]["verified"], name
        for leaf in list(net.leaves)[:2]:
            valid("derive", tutor.derive(net, wrt=leaf, verify=False).to_json())


@pytest.mark.parametrize("args", [
    ["shapes", "batch", "--json"], ["shapes", "mlp", "--json", "--dims", "N=2"],
    ["derive", "--json"], ["derive", "column", "--json", "--wrt", "W1"], ["derive", "vector", "--json", "--no-verify"],
    ["derive", "--json", "--dims", "Dx=1000000,H=1000000"],   # too large for numbers: checked at small sizes
    ["derive", "--json", "--dims", "Dx=1000000,H=1000000", "--no-verify"],
])
def test_cli_output_is_valid(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    valid(args[0], data)
    if "Dx=1000000,H=1000000" in args and "--no-verify" not in args:
        assert data["verification"]["verified"] and data["verification"]["skipped"] is None
        assert data["verification"]["dims"] == {"Dx": 5, "H": 3, "Dy": 4} != data["dims"]


def catalogue_verdicts() -> dict[tuple, str]:
    """(network, wrt, derivation, dims) → the verdict the check and course catalogues state for it."""
    from catalogue.course_code import CASES as COURSE
    from test_check_catalogue import CASES
    out = {(c.net, c.wrt, c.text, tuple(sorted((c.dims or {}).items()))): c.verdict for c in CASES}
    out.update({(c.network, c.wrt, c.derivation, ()): c.verdict for c in COURSE})
    out.update({("default", "W1", text, ()): "unusable" for text in ("x.T @ (", "h.T @ W9", "(lambda a: a)(x)", "")})
    return out


def test_check_json_of_every_verdict():
    """One case of each verdict through the Python face, with and without the suggestion. (Every case of
    the check and course catalogues has its JSON validated where the catalogue is judged, so no
    catalogue is checked twice.)"""
    first: dict[str, tuple] = {}
    for case, verdict in catalogue_verdicts().items():
        first.setdefault(verdict, case)
    assert set(first) == {"correct", "shape_error", "wrong_shape", "transposed", "scaled", "wrong_value", "unusable"}
    for net, wrt, text, dims in first.values():
        for suggestion in (True, False):
            result = tutor.check(tutor.load(net), wrt, text, dict(dims) or None, suggestion=suggestion)
            assert result.verdict == catalogue_verdicts()[(net, wrt, text, dims)]
            valid("check", result.to_json())


def valid_check_json(result) -> None:
    """A judged catalogue case's JSON, as printed with and without the suggestion, meets the schema."""
    valid("check", result.to_json())
    valid("check", result.withheld().to_json())


@pytest.mark.parametrize("text, code", [("x.T @ ((yhat - y) @ W2.T * h * (1 - h))", 0), ("(yhat - y) @ x", 1),
                                        ("x.T @ (", 2), ("W9 @ x", 2)])
def test_check_cli_output_is_valid_whatever_the_exit_code(text, code):
    for extra in ([], ["--no-suggestion"]):
        result = runner.invoke(app, ["check", "default", "--wrt", "W1", "--json", *extra, "--", text])
        assert result.exit_code == code
        valid("check", json.loads(result.stdout))


@pytest.mark.parametrize("lesson_id", sorted(bundled()))
def test_lesson_grade_and_run(tmp_path, monkeypatch, lesson_id):
    from test_grade import answer_variants, toml_answers
    monkeypatch.setenv("SHAPETUTOR_STATE_DIR", str(tmp_path / "state"))
    answers = tmp_path / "answers.toml"
    answers.write_text(toml_answers(answer_variants(lesson_id)))
    graded = runner.invoke(app, ["lesson", "grade", lesson_id, "--answers", str(answers), "--json"])
    valid("grade", json.loads(graded.stdout))
    replay = runner.invoke(app, ["lesson", "run", lesson_id, "--answers", str(answers), "--json"])
    valid("lesson-run", json.loads(replay.stdout))
    revealed = runner.invoke(app, ["lesson", "run", lesson_id, "--no-input", "--json"])
    valid("lesson-run", json.loads(revealed.stdout))


# -- the documentation names every key and every verdict --------------------------------------------

def schema_words(node, keys: set[str], values: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.get("properties", {}).items():
            keys.add(key)
        for value in node.get("enum", []):
            if isinstance(value, str):
                values.add(value)
        for value in node.values():
            schema_words(value, keys, values)
    elif isinstance(node, list):
        for value in node:
            schema_words(value, keys, values)


def test_docs_json_md_describes_every_key_and_verdict():
    doc = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")
    prose = re.sub(r"```.*?```", "", doc, flags=re.S)
    quoted = {word for span in re.findall(r"`([^`\n]+)`", prose) for word in re.split(r"[\s,{}]+", span)} | \
        set(re.findall(r"`([^`\n]+)`", prose))
    for name in tutor.schemas.NAMES:
        keys, values = set(), set()
        schema_words(tutor.schemas.load(name), keys, values)
        assert not keys - quoted, f"{name}: keys not in docs/json.md: {sorted(keys - quoted)}"
        assert not values - quoted, f"{name}: values not in docs/json.md: {sorted(values - quoted)}"
        assert f"{name}.schema.json" in doc


def test_ask_json_follows_its_schema():
    post = (HERE / "catalogue" / "questions" / "seed.md").read_text(encoding="utf-8")
    result = runner.invoke(app, ["ask", "-", "--json"], input=post)
    valid("ask", json.loads(result.stdout))


@pytest.mark.parametrize("post, says", [
    ("", "no derivation found"),
    ("How do I take the gradient of $W_1$?", "no derivation found"),
    ("$$\\frac{\\partial J}{\\partial W_1} = x^T (($$", "never closed"),
], ids=["empty", "prose only", "unreadable derivation"])
def test_ask_json_with_nothing_usable_is_the_answer_with_one_unusable_check(post, says):
    """SPEC §5 and §8: an unusable post is still the answer object (exit 2), never a bare error object."""
    result = runner.invoke(app, ["ask", "-", "--json"], input=post)
    data = json.loads(result.stdout)
    assert result.exit_code == 2 and "error" not in data
    assert (says in result.stderr) == (says == "no derivation found")   # what is not in a check is said on stderr
    valid("ask", data)
    (only,) = data["checks"]
    assert data["verdict"] == only["verdict"] == "unusable" and only["wrt"] == "W1" and only["value_ok"] is None
    assert says in only["diagnostics"][0]["message"]
    valid("check", only)
