"""The numeric check at realistic sizes: how it evaluates, which sizes it draws at, what it catches.

tests/test_networks.py shows that the check accepts every derived gradient and catches a 1e-6
scaling of any one leaf, over every network; these tests cover what makes it lean (the Program
that shares parts and lets values go, the directions drawn in chunks), the sizes it draws at (the
sizes asked for, small ones for the later draws, small ones only beyond the budget, and saying
so), and that its sensitivity does not fade with a leaf's size. No timings: bench/run.py measures.
"""
from __future__ import annotations

import sys
import weakref
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tutor.cli.app import app
from tutor.engine.numbers import verify as check
from tutor.engine.calculus.grad import backward
from tutor.engine.language.ir import Call, Const
from tutor.engine.language.network import load, parse_network
from tutor.engine.numbers.numeric import Evaluator, Schedule as Program
from tutor.engine.numbers.sampling import TooLarge, sample
from tutor.engine.numbers.verify import TOLERANCE, check_draw, verify

sys.path.insert(0, str(Path(__file__).parent))
from test_networks import IDS, SPECS, all_gradients  # noqa: E402

BENCH = Path(__file__).parent.parent / "bench" / "networks"
runner = CliRunner()


def scaled(expr, factor):
    return Call("mul", (Const(factor), expr), shape=expr.shape)


# -- the Program: one lean pass for the forward values and every formula --------------------------

@pytest.mark.parametrize("spec", SPECS + [str(p) for p in sorted(BENCH.glob("*.net"))],
                         ids=IDS + [p.stem for p in sorted(BENCH.glob("*.net"))])
def test_a_program_computes_what_the_evaluator_computes(spec):
    net = load(spec)
    bindings = net.bindings()
    leaves, values = sample(net, bindings, np.random.default_rng(0))
    formulas = all_gradients(net)
    program = Program(net.definitions, formulas)
    got: dict = {}
    program.run(dict(leaves), bindings, lambda name, v: got.__setitem__(name, v),
                lambda leaf, v: got.__setitem__(("d", leaf), v))
    ev = Evaluator(values, bindings)
    for name in net.definitions:
        assert np.array_equal(got[name], values[name]), name
    for leaf, f in formulas.items():
        assert np.array_equal(got["d", leaf], ev(f)), leaf


def test_a_program_computes_equal_parts_once():
    net = load(str(BENCH / "lstm.net"))
    formulas = all_gradients(net)
    program = Program(net.definitions, formulas)
    calls: dict[int, Call] = {}
    stack = list(net.definitions.values()) + list(formulas.values())
    while stack:
        node = stack.pop()
        if isinstance(node, Call) and id(node) not in calls:
            calls[id(node)] = node
            stack.extend(node.args)
    assert len(program.steps) < len(calls)  # parts written again in several formulas are computed once
    keys = [(prim, args, params) for _, prim, args, params in program.steps]
    assert len(keys) == len(set(keys))


def test_a_program_lets_each_value_go_after_its_last_reader():
    net = parse_network("x: [N, M]\na = x * 2\nb = a * 3\nc = b + a\nJ = sum(c)\n")
    alive: dict[str, weakref.ref] = {}
    seen_alive: dict[str, set[str]] = {}

    def on_definition(name, value):
        seen_alive[name] = {k for k, ref in alive.items() if ref() is not None}
        if isinstance(value, np.ndarray):
            alive[name] = weakref.ref(value)

    leaves = {"x": np.ones((5, 3))}
    alive["x"] = weakref.ref(leaves["x"])
    Program(net.definitions, {}).run(leaves, net.bindings(), on_definition)
    assert leaves == {}  # the program took the input, and let it go after its last reader
    assert seen_alive["b"] == {"a"}  # x was let go once a had read it
    assert seen_alive["c"] == {"a", "b"}
    assert seen_alive["J"] == {"c"}  # a and b were let go once c had read them
    assert all(ref() is None for ref in alive.values())


def test_a_program_for_the_loss_alone_skips_what_the_loss_does_not_read():
    net = parse_network("x: [N]\nunused = exp(x) * 5\nJ = sum(x ** 2)\n")
    from tutor.engine.language.ir import Var
    program = Program(net.definitions, {"J": Var("J")}, every_definition=False)
    assert [prim for _, prim, _, _ in program.steps] == ["pow", "sum"]


# -- directions -------------------------------------------------------------------------------------

def test_directions_are_the_same_for_a_seed_symmetric_and_never_zero(monkeypatch):
    monkeypatch.setattr(check, "CHUNK", 1000)  # several chunks: drawn again each time, not kept
    whole = check.Direction(7, 4321).values()
    assert whole.dtype == np.float32 and whole.size == 4321
    assert np.array_equal(whole, check.Direction(7, 4321).values())
    assert not np.array_equal(whole, check.Direction(8, 4321).values())
    assert np.all(whole != 0) and np.all(np.abs(whole) < 0.5)
    assert abs(float(np.mean(whole))) < 0.02
    small = check.Direction(7, 999)
    assert small.values() is not None and small.kept is not None
    assert check.Direction(7, 4321).kept is None


def test_the_terms_of_a_gradient_do_not_depend_on_the_chunks(monkeypatch):
    g = np.random.default_rng(1).standard_normal((37, 29))
    v = check.Direction(3, g.size).values().reshape(g.shape).astype(float)
    dot, square = check.against_direction(g.shape, g, check.Direction(3, g.size))
    monkeypatch.setattr(check, "CHUNK", 100)
    chunked = check.Direction(3, g.size)
    assert np.array_equal(chunked.values(), v.ravel())
    assert check.against_direction(g.shape, g, chunked) == pytest.approx((dot, square), rel=1e-12)
    assert dot == pytest.approx(float(np.sum(g * v)), rel=1e-12)
    assert square == pytest.approx(float(np.sum((g * v) ** 2)), rel=1e-12)
    z = check.shifted(g, chunked, 1e-30)
    assert np.array_equal(z.real, g) and np.allclose(z.imag, 1e-30 * v, rtol=0, atol=1e-45)


def test_a_broadcast_gradient_is_reduced_at_the_leafs_shape():
    g = np.arange(4.0)
    v = check.Direction(5, 12)
    dot, _ = check.against_direction((3, 4), g, v)
    assert dot == pytest.approx(float(np.sum(np.broadcast_to(g, (3, 4)) * v.values().reshape(3, 4))), rel=1e-12)


def test_a_claim_that_does_not_fit_the_leaf_is_wrong():
    assert all(np.isnan(check.against_direction((3, 4), np.ones((4, 3)), check.Direction(5, 12))))


# -- sensitivity does not fade with a leaf's size -------------------------------------------------------

WIDE = "W: [N, M]\nC: [N, M]\nb: [M]\nJ = sum(tanh(W + b) * C)\n"


def test_a_one_in_a_million_error_in_a_leaf_of_a_million_entries_is_caught_with_room():
    net = parse_network(WIDE)
    good = all_gradients(net)
    bindings = {"N": 1000, "M": 1000}
    assert verify(net, good, bindings).ok
    for leaf in ("W", "C"):
        result = verify(net, dict(good, **{leaf: scaled(good[leaf], 1 + 1e-6)}), bindings)
        assert result.max_error > 100 * TOLERANCE, (leaf, result.max_error)
        assert result.failed_leaves == [leaf]


def test_entrywise_errors_with_random_signs_in_a_large_leaf_are_caught():
    net = parse_network(WIDE)
    bindings = {"N": 700, "M": 900}
    rng = np.random.default_rng(4)
    leaves, values = sample(net, bindings, rng)
    ev = Evaluator(values, bindings)
    grads = {k: np.broadcast_to(ev(f), np.shape(leaves[k])) for k, f in all_gradients(net).items()}
    assert check_draw(net, leaves, grads, bindings, rng)[0] <= TOLERANCE
    for leaf in grads:
        signs = rng.choice([-1.0, 1.0], size=np.shape(grads[leaf]))
        bad = grads[leaf] + 1e-6 * np.abs(grads[leaf]) * signs
        error, _ = check_draw(net, leaves, dict(grads, **{leaf: bad}), bindings, rng)
        assert error > 10 * TOLERANCE, (leaf, error)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_check_draw_on_arrays_accepts_right_gradients_and_catches_a_wrong_leaf(spec):
    net = load(spec)
    bindings = net.bindings()
    rng = np.random.default_rng(5)
    leaves, values = sample(net, bindings, rng)
    ev = Evaluator(values, bindings)
    grads = {k: np.broadcast_to(np.asarray(ev(f), dtype=float), np.shape(leaves[k]))
             for k, f in all_gradients(net).items()}
    assert check_draw(net, leaves, grads, bindings, rng)[0] <= TOLERANCE
    for leaf, g in grads.items():
        if np.any(g):
            error, _ = check_draw(net, leaves, dict(grads, **{leaf: g * (1 + 1e-6)}), bindings, rng)
            assert error > TOLERANCE, (leaf, error)


# -- which sizes ---------------------------------------------------------------------------------------

def test_small_networks_draw_every_time_at_the_sizes_asked_for():
    net = load("default")
    result = verify(net, all_gradients(net), net.bindings({"Dx": 7}))
    assert result.dims == {"Dx": 7, "H": 3, "Dy": 4}
    assert result.later_dims is None and result.scaled_down == ""


def test_large_sizes_draw_first_there_and_then_at_the_small_sizes():
    net = load("default")
    result = verify(net, all_gradients(net), {"Dx": 300, "H": 400, "Dy": 50})
    assert result.ok and result.draws == 2
    assert result.dims == {"Dx": 300, "H": 400, "Dy": 50}
    assert result.later_dims == net.bindings()


def test_a_wrong_gradient_is_caught_by_the_draw_at_the_sizes_asked_for():
    net = load("default")
    good = all_gradients(net)
    result = verify(net, dict(good, W1=scaled(good["W1"], 1 + 1e-6)), {"Dx": 300, "H": 400, "Dy": 50}, draws=1)
    assert not result.ok and result.failed_leaves == ["W1"]


def test_a_dimension_that_only_coincides_at_the_sizes_asked_for_is_told_apart_at_the_small_ones():
    net = parse_network("x: [1, D]\nW: [D, H]\nJ = sum(x @ W)\n")
    good = all_gradients(net)
    swapped = Call("transpose", (good["W"],), shape=good["W"].shape)
    assert not verify(net, dict(good, W=swapped), {"D": 400, "H": 400}).ok


def test_sizes_beyond_the_budget_are_checked_at_the_small_sizes_and_say_why(monkeypatch):
    monkeypatch.setattr(check, "MAX_NUMBERS", 10_000)
    net = load("default")
    result = verify(net, all_gradients(net), {"Dx": 100, "H": 200, "Dy": 10})
    assert result.ok and result.dims == net.bindings() and result.later_dims is None
    assert "10,000" in result.scaled_down and "forward pass" in result.scaled_down
    good = all_gradients(net)
    wrong = verify(net, dict(good, b1=scaled(good["b1"], 1 + 1e-6)), {"Dx": 100, "H": 200, "Dy": 10})
    assert not wrong.ok


def test_a_disagreement_too_dear_to_locate_at_the_sizes_asked_for_is_settled_at_the_small_ones(monkeypatch):
    """The check fits at these sizes but a pass per leaf does not: a disagreement is settled small."""
    real = check.over_budget
    monkeypatch.setattr(check, "over_budget", lambda checker, bindings, draws, complex_passes=2:
                        "too dear" if complex_passes > 2 and bindings != checker.network.bindings()
                        else real(checker, bindings, draws, complex_passes))
    net = load("default")
    good = all_gradients(net)
    asked = {"Dx": 300, "H": 400, "Dy": 50}
    right = verify(net, good, asked)
    assert right.ok and right.dims == asked and not right.scaled_down   # no disagreement: nothing moves
    wrong = verify(net, dict(good, W1=scaled(good["W1"], 1 + 1e-6)), asked)
    assert not wrong.ok and wrong.failed_leaves == ["W1"]
    assert wrong.dims == net.bindings() and "settled at the small sizes" in wrong.scaled_down


def test_an_index_beyond_the_small_sizes_keeps_every_draw_at_the_sizes_asked_for(monkeypatch):
    monkeypatch.setattr(check, "SMALL_DRAW", 10)
    net = parse_network("A: [N, M]\nJ = sum(A[9] ** 2)\n")
    result = verify(net, all_gradients(net), {"N": 12, "M": 40})
    assert result.ok and result.dims == {"N": 12, "M": 40} and result.later_dims is None


def test_no_sizes_small_enough_is_too_large():
    net = parse_network("x: [100000, 1000]\nJ = sum(x ** 2)\n")
    with pytest.raises(TooLarge, match="no smaller sizes"):
        verify(net, all_gradients(net), net.bindings())


def test_derive_says_which_sizes_it_checked_at():
    out = runner.invoke(app, ["derive", "--wrt", "b2", "--dims", "Dx=300,H=400,Dy=50", "--plain"]).output
    text = " ".join(out.split())
    assert "at Dx=300, H=400, Dy=50 (the first draw; the second at the small sizes Dx=5, H=3, Dy=4)" in text
    out = runner.invoke(app, ["derive", "--wrt", "b2", "--dims", "Dx=1000000,H=1000000", "--plain"]).output
    text = " ".join(out.split())
    assert "at the smaller sizes Dx=5, H=3, Dy=4, not at the sizes asked for" in text


# -- values a freshly initialised network would have -----------------------------------------------------

DEEP = """
X: [n_x, m]
Y: [1, m]
W1: [n_1, n_x]
b1: [n_1, 1]
W2: [n_2, n_1]
b2: [n_2, 1]
W3: [1, n_2]
b3: [1, 1]
A1 = relu(W1 @ X + b1)
A2 = relu(W2 @ A1 + b2)
AL = sigmoid(W3 @ A2 + b3)
cost = -1 / m * sum(Y * log(AL) + (1 - Y) * log(1 - AL))
"""


def test_a_deep_sigmoid_network_does_not_saturate_at_wider_sizes():
    """Leaves that multiply a computed value get 1/sqrt(fan-in): the logits stay of order one, so the
    loss as computed keeps the precision the complex step needs and no false alarm is raised."""
    net = parse_network(DEEP)
    bindings = {"n_x": 60, "m": 300, "n_1": 50, "n_2": 40}
    _, values = sample(net, bindings, np.random.default_rng(0))
    assert float(np.max(np.abs(np.log(values["AL"] / (1 - values["AL"]))))) < 12
    good = all_gradients(net)
    assert all(verify(net, good, bindings, seed=seed).ok for seed in range(3))


# -- gradients at the rounding level: a second opinion measures the noise ---------------------------------

FLAT = "z: [N, K]\nw: [K]\nJ = sum(softmax(z)) + sum(w * w)\n"  # ∂J/∂z is zero: each row sums to one

#: Batch normalisation with half the squared output as the loss: flat along x but for eps.
NEARLY_FLAT = """
x: [N, D]
gamma: [D]
beta: [D]
mu = mean(x, axis=0)
xc = x - mu
var = mean(xc ** 2, axis=0)
out = gamma * xc / sqrt(var + 1e-5) + beta
J = 0.5 * sum(out ** 2)
"""


@pytest.mark.parametrize("bindings", [None, {"N": 50, "K": 30}, {"N": 400, "K": 300}])
def test_a_gradient_that_is_zero_in_exact_arithmetic_raises_no_false_alarm(bindings):
    net = parse_network(FLAT)
    good = all_gradients(net)
    bindings = bindings or net.bindings()
    for seed in range(5):
        result = verify(net, good, bindings, seed=seed)
        assert result.ok, (seed, result.max_error, result.leaf_errors)


def test_next_to_a_flat_gradient_a_wrong_one_is_still_caught():
    net = parse_network(FLAT)
    good = all_gradients(net)
    bindings = {"N": 50, "K": 30}
    assert not verify(net, dict(good, w=scaled(good["w"], 1 + 1e-6)), bindings).ok
    from tutor.engine.language.ir import Var
    wrong_z = scaled(Var("z", shape=net.leaves["z"]), 1e-9)  # small, but not zero
    result = verify(net, dict(good, z=wrong_z), bindings)
    assert not result.ok and result.failed_leaves == ["z"]


def test_the_second_opinion_absorbs_the_noise_of_a_nearly_flat_loss_and_nothing_else(monkeypatch):
    monkeypatch.setattr(check, "TOLERANCE", 1e-13)  # tight enough that the complex step's own noise shows
    net = parse_network(NEARLY_FLAT)
    good = all_gradients(net)
    bindings = {"N": 300, "D": 200}
    plain = check.Checker(net, good)
    rng = np.random.default_rng(0)
    # without a second opinion the noise of the complex step along x is above this tolerance ...
    seeds = rng.integers(2**63, size=len(good))
    leaves = check.sample_leaves(net, bindings, rng)
    directions = {k: check.Direction(int(s), np.size(leaves[k])) for k, s in zip(good, seeds)}
    assert plain.judge(leaves, bindings, plain.reduce(leaves, bindings, directions)).error > 1e-13
    # ... with one it is measured and set aside, while a one-in-a-million error still stands out
    assert all(verify(net, good, bindings, seed=seed).ok for seed in range(3))
    for leaf in good:
        assert not verify(net, dict(good, **{leaf: scaled(good[leaf], 1 + 1e-6)}), bindings).ok, leaf


@pytest.mark.parametrize("exponent", [7, 99, 100, 101, 250, -3, 2.5])
def test_a_high_power_of_a_negative_base_verifies(exponent):
    """The complex step through x ** n: NumPy's complex power goes through the polar form beyond small
    whole exponents, where the angle's rounding (100·π) would swamp the step; the derivative is
    n·x^(n−1), and the check must say so, never report a right formula as a bug."""
    base = "u" if isinstance(exponent, int) and exponent > 0 else "sigmoid(u)"   # a negative base only where real
    net = parse_network(f"x: [1, D]\nW: [D, H]\nu = x @ W\nJ = sum(({base}) ** {exponent}) / H\n")
    result = verify(net, all_gradients(net), net.bindings({"D": 4, "H": 3}))
    assert result.ok, result
    wrong = all_gradients(net)
    wrong["W"] = wrong["W"] * Const(1 + 1e-6)
    assert not verify(net, wrong, net.bindings({"D": 4, "H": 3})).ok


# -- the draws: the project's own generator, so a command never imports numpy.random ---------------

def test_the_generator_draws_the_same_numbers_from_the_same_seed_and_others_from_another():
    from tutor.engine.numbers.generator import Generator
    a, b, c = Generator(3), Generator(3), Generator(4)
    assert np.array_equal(a.standard_normal((4, 5)), b.standard_normal((4, 5)))
    assert np.array_equal(a.random(7), b.random(7))  # the streams stay together after different calls
    assert not np.array_equal(Generator(3).random(7), c.random(7))
    assert not np.array_equal(Generator(3).random(7), Generator(3).random(14)[7:])  # each draw moves on


def test_the_generator_answers_numpys_calls_with_numpys_shapes_and_ranges():
    from tutor.engine.numbers.generator import Generator
    rng = Generator(0)
    assert rng.standard_normal((2, 3)).shape == (2, 3) and rng.standard_normal(5).shape == (5,)
    assert rng.standard_normal(()).shape == () and rng.random((0, 4)).shape == (0, 4)
    assert isinstance(rng.integers(2**63), int) and np.isscalar(rng.random())
    u = rng.random(100_000)
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.01
    z = rng.standard_normal(100_001)
    assert np.all(np.isfinite(z)) and abs(z.mean()) < 0.02 and abs(z.std() - 1) < 0.02
    k = rng.integers(2, 5, size=(1000,))
    assert k.dtype == np.int64 and set(np.unique(k)) == {2, 3, 4}
    big = rng.integers(2**63, size=1000)
    assert big.min() >= 0 and big.max() > 2**62  # seeds span the whole range
    w = rng.uniform(0.5, 1.5, size=(10_000,))
    assert w.min() >= 0.5 and w.max() < 1.5
    f = rng.random(1000, dtype=np.float32)
    assert f.dtype == np.float32 and np.all(f * 2**24 == np.round(f * 2**24))  # exact multiples of 2⁻²⁴
    with pytest.raises(ValueError):
        rng.integers(3, 3)

