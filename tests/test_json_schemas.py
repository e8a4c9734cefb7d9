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


def check_inputs() -> list[tuple[str, str, str, dict | None]]:
    """(network, wrt, derivation, dims) from the check catalogue and the course catalogue."""
    from catalogue.course_code import CASES as COURSE
    from test_check_catalogue import CASES
    out = [(c.net, c.wrt, c.text, c.dims) for c in CASES]
    out += [(c.network, c.wrt, c.derivation, None) for c in COURSE]
    out += [("default", "W1", text, None) for text in ("x.T @ (", "h.T @ W9", "(lambda a: a)(x)", "", "d = x\n d",
                                                        "x.T @ ((yhat - y) @ W2.T * h * (1 - h))")]
    return out


def test_check_on_the_catalogues():
    verdicts, checked = set(), 0
    for net, wrt, text, dims in check_inputs():
        try:
            network = tutor.load(net)
        except tutor.ShapetutorError:
            continue  # the course catalogue holds networks of forms still to come
        for suggestion in (True, False):
            result = tutor.check(network, wrt, text, dims, suggestion=suggestion)
            valid("check", result.to_json())
            verdicts.add(result.verdict)
        checked += 1
    assert checked >= 70
    assert verdicts == {"correct", "shape_error", "wrong_shape", "transposed", "scaled", "wrong_value", "unusable"}


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
