"""Formulas a teacher would write (issue 12), measured against teachers' own.

For every reference of tests/catalogue/teacher_formulas.py and teacher_formulas_more.py,
shapetutor's derived formula for that leaf

1. parses back in the network language, as a definition appended to the network, with the leaf's shape;
2. equals the gradient: evaluated by the independent NumPy oracle, it matches the loss's central
   finite differences (two draws, distinct dimension values);
3. is at most 1.5 times as long as the teacher's; and
4. has no `0 *` device and no term added twice in any sum.

Length is the number of characters of the code form with all whitespace removed, measured the
same way on both sides: it is what a reader sees, and the measure the issue was filed with.

`python tests/test_formula_lengths.py` prints the whole table and the score.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from catalogue.teacher_formulas import REFERENCES as FIRST, Reference  # noqa: E402
from catalogue.teacher_formulas_more import MORE_REFERENCES  # noqa: E402
from oracle import load as oracle_load  # noqa: E402
from gradcheck import devices  # noqa: E402
from test_teacher_formulas import DRAWS, RTOL, _central, _dims, _seed  # noqa: E402
from tutor.engine.language.network import parse_network  # noqa: E402
from tutor.teach.derivation import derive  # noqa: E402

REFERENCES = FIRST + MORE_REFERENCES
BOUND = 1.5


def length(code: str) -> int:
    return len("".join(code.split()))


def derived(ref: Reference) -> str:
    net = parse_network(ref.network, ref.id)
    formula = derive(net, wrt=ref.leaf, check=False).gradients[ref.leaf].formula_code
    assert formula is not None, "no formula printed"
    return formula


@pytest.mark.parametrize("ref", REFERENCES, ids=lambda r: r.id)
def test_derived_formula_reads_like_the_teachers(ref: Reference):
    formula = derived(ref)
    # 1. it parses back, with the leaf's shape
    net = parse_network(ref.network, ref.id)
    again = parse_network(ref.network.rstrip("\n") + f"\nderived_gradient = {formula}\n"
                          "derived_loss = sum(derived_gradient)\n", ref.id)
    assert again.shapes["derived_gradient"] == net.leaves[ref.leaf], formula
    # 3. and 4. its length and its devices
    assert length(formula) <= BOUND * length(ref.formula), (
        f"{length(formula)} characters against the teacher's {length(ref.formula)}:\n  {formula}\n  {ref.formula}")
    assert devices(formula) == [], formula


@pytest.mark.parametrize("ref", REFERENCES, ids=lambda r: r.id)
def test_derived_formula_equals_finite_differences(ref: Reference):
    formula = derived(ref)
    rng = np.random.default_rng(_seed(ref) + 1)
    for draw in range(DRAWS):
        net = oracle_load(ref.network, _dims(ref.network, rng))
        values = net.sample(rng)
        answer, _ = net.run_derivation(formula, values)
        expected = _central(net, values, ref.leaf)
        answer = np.asarray(answer, dtype=np.float64)
        assert answer.shape == expected.shape, (formula, answer.shape, expected.shape)
        scale = float(np.linalg.norm(expected))
        assert scale > 1e-8, "the gradient is ~0: the check would prove nothing"
        err = float(np.linalg.norm(answer - expected)) / scale
        assert err < RTOL, f"draw {draw}: relative error {err:.3g} for {formula}"


def test_the_devices_check_can_fail():
    assert devices("x + 0 * W") and devices("a / N + b + a / N") and not devices("(probs - Y) / N")


def score() -> None:
    """The table: each reference, its ratio, and the score."""
    within = 0
    for ref in REFERENCES:
        try:
            formula = derived(ref)
        except Exception as exc:  # noqa: BLE001 - a report, not a test
            print(f"ERROR {ref.id}: {type(exc).__name__}: {exc}")
            continue
        ratio = length(formula) / length(ref.formula)
        ok = ratio <= BOUND and not devices(formula)
        within += ok
        print(f"{'ok  ' if ok else 'LONG'} {ratio:4.2f}  {ref.id}: {formula}")
    print(f"{within} of {len(REFERENCES)} within {BOUND}× the teacher's length, with no device")


if __name__ == "__main__":
    score()
