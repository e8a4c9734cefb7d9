"""A wrong shape is answered with a hint before the answer: in the walk's quiz, in a lesson's questions and
in `lesson grade`'s feedback. The first reply says where to look; the answer comes on a further attempt
(or on request: the hints, or giving up). "Wrong order" is kept for the Jacobian's own order."""
from __future__ import annotations

import pytest

from tutor.course.answer_key import AnswerKey
from tutor.course.grade import grade_step
from tutor.course.lesson import bundled, read
from tutor.course.session import Question
from tutor.engine.language.dims import Dim, format_shape
from tutor.engine.language.network import load
from tutor.teach.answers import TELL_FROM_ATTEMPT, diagonal_step, shape_feedback
from tutor.teach.chain import factors

NETWORKS = ["default", "batch", "column", "vector", "mlp", "conv1d", "attention"]


def spellings(shape, bindings) -> set[str]:
    """Every way a reply could print the answer: symbols or numbers, × or x."""
    out = set()
    if len(shape) < 2:
        return out
    for text in (format_shape(shape), format_shape(shape, bindings)):
        out |= {text, text.replace("×", " x "), text.replace("×", "x")}
    return out


def wrong_answers(expected, of_shape, wrt_shape, symbols):
    """A learner's usual wrong shapes for ∂of/∂wrt: the wrong order, a dimension swapped for another, the
    axes of length 1 put back wrongly, the transpose of the input, the matrix of a naive chain."""
    want = list(expected)
    yield list(wrt_shape) + list(of_shape)                       # the denominator layout
    yield list(of_shape) + list(reversed(wrt_shape))              # the input's own axes reversed
    yield list(reversed(of_shape)) + list(wrt_shape)              # the output's own axes reversed
    for i, d in enumerate(want):                                   # one dimension wrong
        for other in symbols:
            if Dim.symbol(other) != d:
                yield want[:i] + [Dim.symbol(other)] + want[i + 1:]
                break
    yield want + [Dim.symbol(symbols[0])]                          # an axis too many
    if len(want) > 1:
        yield want[1:]                                             # an axis too few
    yield [d for d in want if d != Dim(1)][:2]                     # a matrix


def chain_factors():
    """(network, factor) for every factor of every leaf's chain; each network is read once."""
    for name in NETWORKS:
        net = load(name)
        for leaf in net.leaves:
            if leaf not in net.labels:
                for f in factors(net, leaf):
                    yield name, f


CASES = list(chain_factors())


@pytest.mark.parametrize("name, f", CASES[::3], ids=lambda v: v if isinstance(v, str) else f"{v.of}-{v.wrt}")
def test_a_first_wrong_reply_never_prints_the_answer(name, f):
    net = load(name)
    b = net.bindings({})
    of_shape, wrt_shape = net.shapes[f.of], net.shapes[f.wrt]
    expected = of_shape + wrt_shape
    squeezed = tuple(d for d in expected if d != Dim(1))
    forbidden = spellings(expected, b) | spellings(squeezed, b)
    for answer in wrong_answers(expected, of_shape, wrt_shape, list(net.dims)):
        if tuple(answer) == expected:
            continue
        diag = diagonal_step(net, f.of, f.wrt)
        hint = shape_feedback(answer, expected, b, f.of, f.wrt, of_shape, wrt_shape, diag, tell=False)
        if hint.ok:
            continue
        told = shape_feedback(answer, expected, b, f.of, f.wrt, of_shape, wrt_shape, diag, tell=True)
        assert not told.ok
        leaked = [s for s in forbidden if s in hint.message]
        assert not leaked, (answer, hint.message)


@pytest.mark.parametrize("net, of, wrt, answer", [
    ("default", "z1", "W1", "1 x H x H x Dx"), ("batch", "Z1", "W1", "N x H x H x Dx"),
    ("default", "z1", "W1", "H x H x Dx"), ("column", "z1", "W1", "H x 1 x Dx x H")])
def test_the_inputs_own_axes_permuted_is_not_called_the_wrong_order(net, of, wrt, answer):
    from tutor.teach.answers import parse_shape
    network = load(net)
    b = network.bindings({})
    given = parse_shape(answer, set(network.dims))
    for tell in (False, True):
        f = shape_feedback(given, network.shapes[of] + network.shapes[wrt], b, of, wrt, network.shapes[of],
                           network.shapes[wrt], tell=tell)
        assert not f.ok and "wrong order" not in f.message, f.message
        assert f"in the order {wrt} has them" in f.message
    assert f"{wrt} is {format_shape(network.shapes[wrt])}" in f.message      # told, the second time


LESSON = read("01-motivating-question")
KEY = AnswerKey(LESSON)


def question(step_id: str) -> Question:
    return Question(next(s for s in LESSON.steps if s.id == step_id), KEY)


@pytest.mark.parametrize("step_id, wrong", [("factor-shape", "1 x H x 1 x H"), ("factor-shape", "Dx x H"),
                                            ("dz2-h", "1 x H x 1 x Dy"), ("shape-W1", "H x Dx"),
                                            ("dz2", "Dy x 1")])
def test_a_lessons_question_hints_first_and_tells_on_a_further_attempt(step_id, wrong):
    q = question(step_id)
    answer = KEY.answer(q.step)
    want = tuple(d for d in answer.replace(" ", "").split("x"))
    spelled = {answer, "×".join(want), "x".join(want)}
    first = q.take(wrong)
    assert first.verdict == "wrong_shape" and not any(s in first.message for s in spelled), first.message
    for _ in range(TELL_FROM_ATTEMPT - 1):
        later = q.take(wrong)
    assert later.message != first.message and "=" in later.message, later.message   # the answer, with numbers


def test_graded_feedback_hints_after_one_wrong_attempt_and_tells_after_two():
    step = next(s for s in LESSON.steps if s.id == "factor-shape")
    once = grade_step(KEY, step, ["1 x H x 1 x H"])
    assert once.verdict == "wrong_shape" and "1×H×Dx×H" not in once.feedback and "Dx = 4" not in once.feedback
    twice = grade_step(KEY, step, ["1 x H x 1 x H", "1 x H x 1 x H"])
    assert "Dx = 4" in twice.feedback, twice.feedback


def test_every_bundled_lessons_shape_question_hints_first():
    for lesson_id in bundled():
        lesson = read(lesson_id)
        key = AnswerKey(lesson)
        for step in (s for s in lesson.steps if s.kind == "ask-shape"):
            net = lesson.network
            want = net.shapes[step.node] if step.node else net.shapes[step.of] + net.shapes[step.wrt]
            forbidden = spellings(want, key.bindings)
            for wrong in ("1", "1 x 1 x 1 x 1 x 1", " x ".join(reversed([str(d) for d in want])) or "1"):
                judged = Question(step, key).take(wrong)
                if judged.verdict != "wrong_shape":
                    continue
                assert not [s for s in forbidden if s in judged.message], (lesson_id, step.id, judged.message)


def test_the_hint_ladder_still_ends_in_the_answer():
    """On request the answer is given: the walk's last hint, and giving up, still say it."""
    from tutor.teach.walkthrough import stages
    from tutor.teach.derivation import derive
    net = load("default")
    d = derive(net, net.bindings({}), wrt="W1")
    for stage in stages(d, "W1"):
        if stage.question is not None:
            assert format_shape(stage.question.expected) in stage.question.hints[-1]
