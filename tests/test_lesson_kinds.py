"""One table of lesson step kinds, one session: the terminal, grading and validation agree.

Each kind of step is one module in `tutor/course/kinds/` and one renderer in
`tutor/front/step_views.py`; the JSON schemas name exactly the question kinds; and every entry
at a question (a hint, a bare Enter, an attempt) means the same at the terminal, in a replayed
answers file, in `lesson grade` and in `lesson validate`.
"""
from __future__ import annotations

from io import StringIO

import pytest
from rich.console import Console

import tutor.schemas
from tutor.course import kinds
from tutor.course.answer_key import AnswerKey
from tutor.course.grade import grade
from tutor.course.kinds.base import QuestionKind
from tutor.course.lesson import KINDS, LessonError, parse
from tutor.course.progress import Entry
from tutor.course.session import GaveUp, Hint, NoHintLeft, Question, Session, resume_at
from tutor.front import step_views
from tutor.front.lesson import Runner
from tutor.front.look import Look
from tutor.front.prompt import Tee

LESSON = """format_version = 1
id = "tiny"
title = "A tiny lesson"
summary = "Two questions."

[network]
bundled = "default"
dims = { Dx = 4, H = 3, Dy = 2 }

[[steps]]
id = "intro"
kind = "say"
text = "Hello."

[[steps]]
id = "shape"
kind = "ask-shape"
of = "z1"
wrt = "W1"
hints = ["z1 first, then W1."]

[[steps]]
id = "grad"
kind = "ask-gradient"
wrt = "b2"
"""
RIGHT_SHAPE = "1 x H x Dx x H"
RIGHT_B2 = "sum(yhat - y, axis=0)"


@pytest.fixture(scope="module")
def lesson():
    return parse(LESSON, "tiny.toml", None)


@pytest.fixture(scope="module")
def key(lesson):
    return AnswerKey(lesson)


# -- the tables --------------------------------------------------------------------------------------

def test_every_kind_has_one_renderer_and_questions_have_question_renderers():
    assert set(step_views.VIEWS) == set(kinds.KINDS) == set(KINDS)
    for name, kind in kinds.KINDS.items():
        assert kind.name == name
        assert isinstance(step_views.VIEWS[name], step_views.QuestionView) == kind.question
        assert isinstance(kind, QuestionKind) == kind.question


@pytest.mark.parametrize("schema, path", [
    ("lesson-run", ("properties", "steps", "items", "properties", "kind")),
    ("grade", ("properties", "tests", "items", "properties", "extra_data", "properties", "kind")),
])
def test_the_schemas_name_exactly_the_question_kinds(schema, path):
    node = tutor.schemas.load(schema)
    for part in path:
        node = node[part]
    assert node["enum"] == list(kinds.QUESTIONS)


def test_a_key_of_another_kind_is_a_located_error():
    text = LESSON.replace('text = "Hello."', 'text = "Hello."\nview = "chain"')
    with pytest.raises(LessonError) as caught:
        parse(text, "tiny.toml", None)
    assert "`view` belongs on a show step, not on a say step" in caught.value.message
    assert caught.value.span.line == 14


# -- the session: what each entry means ------------------------------------------------------------

def test_entries_at_a_question(lesson, key):
    question = Question(lesson.steps[1], key)
    assert question.take("h") == Hint("z1 first, then W1.")
    assert question.take("h") == NoHintLeft()           # passed over: nothing ends, nothing is judged
    assert (question.hints_used, question.attempts, question.over) == (1, 0, False)
    judged = question.take("1 x H")
    assert judged.verdict == "wrong_shape" and not question.over
    assert question.take(RIGHT_SHAPE).correct and question.over
    assert question.to_json() == {"id": "shape", "kind": "ask-shape", "answer": RIGHT_SHAPE, "verdict": "correct",
                                  "correct": True, "hints_used": 1, "attempts": 2}


def test_a_bare_enter_gives_up_and_nothing_after_it_counts(lesson, key):
    question = Question(lesson.steps[1], key).play(["1 x H", "", RIGHT_SHAPE])
    assert question.over and question.verdict == "wrong_shape" and question.attempts == 1
    assert Question(lesson.steps[2], key).take("") == GaveUp()


def run_at_a_terminal(lesson, typed: list[str]) -> tuple[str, Runner]:
    """The runner in interactive mode, reading `typed` line by line."""
    lines = iter(typed)
    screen = Console(file=StringIO(), width=100, color_system=None)
    runner = Runner(lesson, Tee(screen), Look(), mode="interactive", read=lambda prompt: next(lines))
    runner.run()
    return screen.file.getvalue(), runner


def test_a_bare_enter_at_either_question_shows_the_answer_at_the_terminal(lesson, key):
    # Enter to read on, then a bare Enter at each question: each ends, with its answer shown
    shown, runner = run_at_a_terminal(lesson, ["", "", ""])
    assert "The answer: 1×H×Dx×H" in shown
    assert f"∂J/∂b2 = {key.formula('b2')}" in shown
    assert "hint:" not in shown                          # Enter is not a hint: `h` is
    assert shown.count("Enter alone: give up and see the answer") == 2   # and each question says so
    assert [q.to_json()["verdict"] for q in runner.results] == [None, None]
    # the same entries, graded, score the same: nothing answered
    graded = grade(lesson, {"shape": [""], "grad": [""]})
    assert [s.verdict for s in graded.steps] == [None, None] and graded.score == 0


def test_h_with_no_hint_left_asks_again_at_the_terminal(lesson):
    shown, runner = run_at_a_terminal(lesson, ["", "h", "h", RIGHT_SHAPE, RIGHT_B2])
    assert "hint: z1 first, then W1." in shown and "(no hint left)" in shown
    assert "The answer:" not in shown
    assert [q.to_json()["correct"] for q in runner.results] == [True, True]
    graded = grade(lesson, {"shape": ["h", "h", RIGHT_SHAPE], "grad": [RIGHT_B2]})
    assert [(s.verdict, s.hints_used) for s in graded.steps] == [("correct", 1), ("correct", 0)]


# -- the session: position, resume, progress -------------------------------------------------------

def test_resume_and_the_progress_entry(lesson, key):
    saved = Entry("grad", ("intro", "shape"), 3, False, "")
    assert resume_at(lesson, saved) == 2
    assert resume_at(lesson, Entry("gone", ("intro",), 3)) == 1     # a step removed since: the first not done
    assert resume_at(lesson, Entry(None, (), 3, True)) == 0
    session = Session.resume(lesson, key, saved)
    assert session.position == 2 and session.done == []             # another lesson text: nothing carries over
    session.back()
    assert session.step.id == "shape"
    session.advance()
    session.advance()
    entry = session.entry("")
    assert entry.finished and entry.step is None and entry.done == ("intro", "shape", "grad")


# -- a new kind of question is one course module and one renderer ---------------------------------

class AskRank(QuestionKind):
    """How many axes a node has: a kind written here, as a course would add one."""

    name = "ask-rank"
    keys = frozenset({"hints", "points", "hint_cost", "node"})

    def check(self, step, network, fail):
        from tutor.course.kinds.base import need_node
        need_node(step, network, fail, step.node, "node")

    def text(self, step):
        return f"How many axes does {step.node} have?"

    def default_hints(self, step):
        return (f"Count the dimensions in {step.node}'s shape.",)

    def asks(self, step):
        return ("rank", step.node)

    def answer(self, key, step):
        return str(len(key.network.shapes[step.node]))

    def judge(self, key, step, text, suggestion=False):
        from tutor.course.kinds.base import Judged
        if not text.strip().isdigit():
            return Judged("unusable", "✗ an answer is a whole number")
        right = text.strip() == self.answer(key, step)
        return Judged("correct" if right else "wrong_shape", "✓ right" if right else "✗ count again")


class AskRankView(step_views.QuestionView):
    kind = "ask-rank"
    prompt = "  your answer (h: hint): "
    room = 1

    def judgement(self, judged, look):
        from rich.text import Text
        return Text("  " + judged.message)

    def answer(self, key, step, look):
        return AskRank().answer(key, step)

    def given_up(self, key, step, look):
        from rich.text import Text
        return Text(f"  The answer: {self.answer(key, step, look)}")

    def answer_blocks(self, key, step):
        from tutor.front.document import Answer, Para, plain
        return [Answer((Para(plain(AskRank().answer(key, step))),))]


def test_a_new_question_kind_is_one_module_and_one_renderer(monkeypatch):
    from tutor.front.handout import render
    monkeypatch.setitem(kinds.KINDS, "ask-rank", AskRank())
    monkeypatch.setitem(kinds.QUESTIONS, "ask-rank", kinds.KINDS["ask-rank"])
    monkeypatch.setitem(step_views.VIEWS, "ask-rank", AskRankView())
    text = LESSON + '\n[[steps]]\nid = "rank"\nkind = "ask-rank"\nnode = "z1"\npoints = 2\n'
    lesson = parse(text, "tiny.toml", None)
    graded = grade(lesson, {"rank": ["h", "3", "2"], "shape": [RIGHT_SHAPE]})
    assert [(s.step.id, s.verdict, s.score, s.hints_used) for s in graded.steps][-1] == ("rank", "correct", 2, 1)
    shown, runner = run_at_a_terminal(lesson, ["", RIGHT_SHAPE, RIGHT_B2, "7", ""])
    assert "How many axes does z1 have?" in shown and "✗ count again" in shown and "The answer: 2" in shown
    from tutor.course.validate import validate
    from tutor.front.present import slides
    assert validate(lesson) == []
    shown_slides = slides(lesson, AnswerKey(lesson), Look())
    assert shown_slides[-2].hides_answer and not shown_slides[-1].hides_answer
    key = render(lesson, "html")
    sheet = render(lesson, "html", worksheet=True)
    assert "How many axes does z1 have?" in key and "How many axes does z1 have?" in sheet
    with pytest.raises(LessonError, match="`wrt` belongs on"):
        parse(text.replace('node = "z1"\npoints', 'node = "z1"\nwrt = "W1"\npoints'), "tiny.toml", None)
