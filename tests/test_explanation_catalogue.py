"""Explanations measured against accepted answers: does the diagnosis name the concept the answer explains?

Two catalogues of real public questions are read: tests/catalogue/explanations/cases.toml (each question's
network and wrong derivation translated by hand into the tool's languages) and tests/catalogue/questions/
(questions read whole, as posted, by `ask`), whose headers name the accepted answer's concept. A question
counts when a diagnostic of the check on its derivation names that concept (`Diagnostic.concept`, the id of
an entry of tutor/teach/concepts.py). The bar is 28 of 32. Every verdict is the NumPy oracle's, and no
diagnostic may be misleading: a concept the network cannot have (a bias's sum with no broadcast bias, the
1/N of a mean with no batch, a mask with no mask), or garbled text.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

import oracle
import tutor
from tutor.engine.diagnostics import Diagnostic
from tutor.engine.language.ir import Call, Const, walk
from tutor.engine.language.network import Network, parse_network
from tutor.notation.ask import ask
from tutor.teach.concepts import BATCH_NAMES, CONCEPTS, is_broadcast_bias, product_uses

HERE = Path(__file__).resolve().parent / "catalogue"
CASES_FILE = HERE / "explanations" / "cases.toml"
QUESTIONS = HERE / "questions"


@dataclass(frozen=True)
class Measured:
    """One question: the accepted answer's concept, and what the diagnosis said."""

    id: str
    source: str
    concept: str
    network: Network
    diagnostics: tuple[Diagnostic, ...]
    verdicts: tuple[str, ...]

    @property
    def named(self) -> set[str]:
        return {d.concept for d in self.diagnostics if d.concept}

    @property
    def hit(self) -> bool:
        return self.concept in self.named


def translated_cases() -> list[dict]:
    return tomllib.loads(CASES_FILE.read_text(encoding="utf-8"))["case"]


def network_text(case: dict) -> str:
    if "network_file" in case:
        return (CASES_FILE.parent / case["network_file"]).read_text(encoding="utf-8")
    return case["network"]


def posted_questions() -> list[tuple[str, dict, str]]:
    out = []
    for path in sorted(QUESTIONS.glob("*.md")):
        _, head, body = path.read_text(encoding="utf-8").split("---\n", 2)
        meta = dict(line.split(": ", 1) for line in head.strip().splitlines())
        if "concept" in meta:
            out.append((path.stem, meta, body))
    return out


def measure_translated(case: dict) -> Measured:
    text = network_text(case)
    result = tutor.check(text, case["wrt"], case["derivation"].strip())
    return Measured(case["id"], case["source"], case["concept"], parse_network(text), tuple(result.diagnostics),
                    (result.verdict,))


def measure_posted(name: str, meta: dict, body: str) -> Measured:
    network = str(QUESTIONS / meta["network"]) if "network" in meta else None
    answer = ask(body, network, None, meta.get("wrt"))
    diagnostics = tuple(d for a in answer.asked for d in a.check.result.diagnostics)
    return Measured(name, meta["source"], meta["concept"], answer.network, diagnostics,
                    tuple(a.check.result.verdict for a in answer.asked))


@pytest.fixture(scope="module")
def measured() -> list[Measured]:
    return [measure_translated(c) for c in translated_cases()] + \
        [measure_posted(*q) for q in posted_questions()]


def test_the_catalogue_is_real_questions_each_with_its_answers_concept():
    cases = translated_cases()
    posted = posted_questions()
    assert len(cases) + len(posted) >= 32
    assert len({c["id"] for c in cases}) == len(cases)
    for c in cases:
        assert c["source"] and c["site"] and c["answer"], c["id"]
        assert c["concept"] in CONCEPTS, c["id"]
    for name, meta, _ in posted:
        assert meta["concept"] in CONCEPTS, name


@pytest.mark.parametrize("case", translated_cases(), ids=lambda c: c["id"])
def test_each_translated_verdict_is_the_oracles(case):
    """The diagnosis is only worth reading if the verdict it explains is right."""
    text = network_text(case)
    derivation = case["derivation"].strip()
    got = tutor.check(text, case["wrt"], derivation).verdict
    assert got == oracle.verdict(text, case["wrt"], derivation), case["id"]
    assert got == case.get("verdict", got)


def test_the_diagnosis_names_the_accepted_answers_concept_for_28_of_32(measured):
    hits = [m for m in measured if m.hit]
    missed = [(m.id, m.concept, sorted(m.named)) for m in measured if not m.hit]
    print(f"\nconcept named as the accepted answer does: {len(hits)} of {len(measured)}")
    assert len(measured) >= 32
    assert len(hits) >= 28 and len(hits) / len(measured) >= 28 / 32, missed


GARBLED = (re.compile(r"\.T\.T\b"), re.compile(r"ᵀᵀ"), re.compile(r"\.Tᵀ"), re.compile(r" [@*+-] \S+ᵀ belongs"),
           re.compile(r"\{[a-z_]+\}"), re.compile(r"\bNone\b"))


def mask_in(net: Network) -> bool:
    return bool(net.binary) or any(isinstance(n, Call) and n.prim in ("relu", "maximum", "gt", "ge", "where")
                                   for e in net.definitions.values() for n in walk(e))


def named_constant_in(net: Network) -> bool:
    return any(isinstance(e, Const) for e in net.definitions.values())


def misleading(m: Measured) -> list[str]:
    """Concepts this network cannot have, and text that does not read."""
    net = m.network
    found = []
    for d in m.diagnostics:
        if d.concept == "bias-sum" and not any(is_broadcast_bias(net, leaf) for leaf in net.leaves):
            found.append(f"{d.code}: a bias's sum on a network with no broadcast bias")
        if d.concept in ("per-example",) and not any(b in net.dims for b in BATCH_NAMES):
            found.append(f"{d.code}: the per-example convention on a network with no batch")
        if d.concept == "mask" and not mask_in(net):
            found.append(f"{d.code}: a mask on a network with none")
        if d.concept == "dropout-scale" and not named_constant_in(net):
            found.append(f"{d.code}: a dropout's scale on a network with no named constant")
        if d.concept == "tied-weights" and not any(product_uses(net, leaf) > 1 for leaf in net.leaves):
            found.append(f"{d.code}: a parameter used twice on a network that uses each once")
        for text in (d.message, d.note, d.help.prose if d.help else ""):
            for pattern in GARBLED:
                if pattern.search(text):
                    found.append(f"{d.code}: garbled: {text}")
            if "for one example" in text and not any(b in net.dims for b in BATCH_NAMES) and \
                    not any(d0.is_literal and d0.value({}) == 1 for s in net.leaves.values() for d0 in s[:1]):
                found.append(f"{d.code}: 'one example' on a network with no examples")
    return found


def test_no_diagnosis_on_the_catalogue_is_misleading_or_garbled(measured):
    bad = {m.id: misleading(m) for m in measured}
    assert not {k: v for k, v in bad.items() if v}


def test_every_concept_named_is_in_the_table(measured):
    for m in measured:
        assert m.named <= set(CONCEPTS), m.id
