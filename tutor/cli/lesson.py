"""`shapetutor lesson …`: instructors' scripted lessons (list, run, validate, export, reset)."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from . import completion
from .common import CONTEXT, PlainOpt, console, emit_json, interactive, look, plain_terminal, report, run, say

lesson_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, context_settings=CONTEXT,
                         help="Scripted lessons: list, run, notes, grade, validate, export, reset.")
LessonArg = Annotated[str, typer.Argument(help="a bundled lesson's id or a lesson file",
                                          autocompletion=completion.lessons)]


@lesson_app.command("list")
def list_lessons() -> None:
    """Every bundled lesson with its id, title and your progress."""
    def body():
        from ..course.lesson import bundled, read
        from ..course.progress import Progress
        progress = Progress()
        shown = list(bundled())
        for lesson_id in shown:
            lesson = read(lesson_id)
            say(f"{lesson_id:<26} {mark(progress.get(lesson_id)):<8} {one_line(lesson.title)}", stdout=True)
        for lesson_id, entry in progress.entries():  # the learner's own lesson files, where they left them
            if entry.source or lesson_id not in shown:
                say(f"{one_line(lesson_id):<26} {mark(entry):<8} {one_line(entry.source) or '(a lesson file)'}",
                    stdout=True)
        warn(progress)
    run(body)


def mark(entry) -> str:
    return "✓ done" if entry.finished else (f"• {entry.percent}%" if entry.done or entry.step else "")


def bundled_ids() -> set[str]:
    from ..course.lesson import bundled
    return set(bundled())


def warn(progress) -> None:
    for message in progress.warnings:
        say(f"warning: {message}")
    progress.warnings.clear()


def source_of(name: str) -> str:
    """How progress knows where a lesson came from: "" for a bundled lesson, else the file's absolute path."""
    return "" if name in bundled_ids() else str(Path(name).resolve())


def one_line(text: str) -> str:
    from ..front.visible import one_line as shown
    return shown(text)


def warn_unasked(lesson, answers: dict[str, list[str]], path: str) -> None:
    """Answers for steps that ask nothing are ignored, and said so (a typo in a step id costs points)."""
    asked = {s.id for s in lesson.steps if s.is_question}
    for key in sorted(set(answers) - asked):
        say(f"warning: {path}: {key!r} is not a question of {lesson.id}"
            + ("" if key not in {s.id for s in lesson.steps} else " (it asks nothing)")
            + "; its answer is ignored")


#: `lesson run next`: the first bundled lesson not finished yet.
NEXT = "next"


def next_lesson(progress) -> str | None:
    """The first bundled lesson, in order, that the learner has not finished."""
    from ..course.lesson import bundled
    return next((lesson_id for lesson_id in bundled() if not progress.get(lesson_id).finished), None)


@lesson_app.command("run")
def run_lesson(name: Annotated[str, typer.Argument(
                   help="a bundled lesson's id, a lesson file, or `next`: the first lesson you have not finished",
                   autocompletion=completion.lessons_or_next)],
               present: Annotated[bool, typer.Option("--present", help="for class: one step per screen")] = False,
               notes: Annotated[bool, typer.Option(
                   "--notes", help="with --present: show the speaker notes below each slide (for rehearsing)")] = False,
               notes_to: Annotated[Optional[str], typer.Option(
                   "--notes-to", metavar="FILE",
                   help="with --present: keep FILE holding the current step's speaker notes")] = None,
               force: Annotated[bool, typer.Option(
                   "--force", help="with --notes-to: replace a file that is not earlier notes, or write through "
                                   "a symbolic link")] = False,
               no_input: Annotated[bool, typer.Option("--no-input", help="never prompt: show every answer")] = False,
               answers: Annotated[Optional[str], typer.Option(
                   "--answers", help="replay scripted answers (TOML); `lesson grade` scores them")] = None,
               start: Annotated[Optional[str], typer.Option("--from", help="start at this step id")] = None,
               as_json: Annotated[bool, typer.Option("--json", help="per-step results as JSON")] = False,
               plain: PlainOpt = False) -> None:
    """Run a lesson: interactive by default, or presented, revealed, or played from answers."""
    def body():
        from io import StringIO

        from ..engine.errors import TutorError
        from ..course.lesson import read
        from ..front.lesson import Runner
        from ..front.visible import Screen
        from ..course.answer_key import AnswerKey
        from ..course.progress import Progress
        from ..course.session import Session, resume_at
        from ..front.prompt import Quit, Tee
        from ..course.grade import read_answers
        nonlocal name
        if name == NEXT and not Path(NEXT).exists():
            found = next_lesson(Progress())
            if found is None:
                say("Every bundled lesson is finished. `shapetutor lesson list` shows them; "
                    "`shapetutor lesson reset --all` starts again.")
                return 0
            say(f"next: {found}")
            name = found
        lesson = read(name)
        scripted = read_answers(answers) if answers else None
        if scripted:
            warn_unasked(lesson, scripted, answers)
        asking = not no_input and not scripted and not as_json and interactive()
        progress = Progress()
        source = source_of(name)
        entry = progress.get(lesson.id, source)
        begin = 0
        if start is not None:
            begin = lesson.index(start)
            if begin is None:
                raise TutorError(f"--from {start}: no step with that id",
                                 expected="one of " + ", ".join(s.id for s in lesson.steps))
        elif asking and entry.step and not entry.finished:
            begin = resume_at(lesson, entry)
            if begin:
                say(f"resuming at step {begin + 1} ({lesson.steps[begin].id}); "
                    f"--from {lesson.steps[0].id} starts again")
        the_look = look(plain)
        if notes_to and not present:
            raise TutorError("--notes-to goes with --present", expected="--present --notes-to FILE")
        if present:
            present_lesson(lesson, the_look, begin, asking, notes, notes_to, force, plain)
            return 0
        out = Screen(file=StringIO()) if as_json else console(plain_terminal(plain))
        mode = "answers" if scripted else "interactive" if asking else "reveal"
        session = Session.resume(lesson, AnswerKey(lesson), entry, begin)

        def save(session: Session) -> None:
            if not asking:
                return
            progress.put(lesson.id, session.entry(source))
            warn(progress)  # at once: a learner who saw no warning would think their steps were kept

        runner = Runner(lesson, Tee(out), the_look, mode=mode, read=out.input, answers=scripted or {},
                        on_step=save, resumed=session)
        try:
            runner.run()
        except (Quit, EOFError):
            save(session)
            say(f"\nStopped at step {runner.position + 1}. Pick up again with:\n  shapetutor lesson run {name}")
        except KeyboardInterrupt:
            save(session)
            say(f"\nInterrupted at step {runner.position + 1}. Pick up again with:\n  shapetutor lesson run {name}")
            return 130
        finally:
            warn(progress)
        if as_json:
            emit_json({"lesson": lesson.id, "steps": [r.to_json() for r in runner.results]})
        return 2 if progress.failed else 0
    run(body, as_json)


def present_lesson(lesson, the_look, begin: int, asking: bool, notes: bool, notes_to: str | None, force: bool,
                   plain: bool) -> None:
    """Present a lesson; at a terminal each step is published for `lesson notes` (and written to --notes-to)."""
    from ..course.presenting import position, publish, withdraw
    from ..front.files import check_export, write_export
    from ..front.present import notes_text, present as show
    if notes_to:
        check_export(notes_to, force, "--notes-to")
    written = False

    def on_step(step: int) -> None:
        nonlocal written
        where = position(lesson, step)
        publish(where)
        if notes_to:  # after the first write the file is an earlier export of ours
            write_export(notes_to, notes_text(where), force or written, "--notes-to")
            written = True

    try:
        show(lesson, console(plain_terminal(plain)), the_look, begin, interactive=asking, notes=notes,
             on_step=on_step if asking else None)
    finally:
        if asking:
            withdraw()


@lesson_app.command("notes")
def follow_notes(once: Annotated[bool, typer.Option("--once", help="show the current notes and stop")] = False,
                 plain: PlainOpt = False) -> None:
    """Follow a presentation's speaker notes in a second terminal, off the class's screen."""
    def body():
        import time

        from ..course.presenting import current
        from ..engine.errors import TutorError
        from ..front.present import notes_view
        out, the_look = console(plain_terminal(plain)), look(plain)
        shown = None
        waiting = False
        try:
            while True:
                where = current()
                if where is None and once:
                    raise TutorError("no lesson is being presented",
                                     expected="`shapetutor lesson run LESSON --present` in another terminal")
                if where is None and shown is not None:
                    say("The presentation has ended.")
                    return 0
                if where is None and not waiting:
                    say("Waiting for a presentation: `shapetutor lesson run LESSON --present` in another "
                        "terminal (Ctrl-C stops).")
                    waiting = True
                if where is not None and where != shown:
                    if out.is_terminal:
                        out.clear()
                    out.print(notes_view(where, the_look), crop=False)
                    shown = where
                if once:
                    return 0
                time.sleep(0.2)
        except KeyboardInterrupt:  # the way to stop following
            return 0
    run(body)


@lesson_app.command("grade")
def grade_lesson(name: LessonArg,
                 answers: Annotated[str, typer.Option(
                     "--answers", help="the learner's answers (TOML), or a folder of them: a class at once")],
                 as_json: Annotated[bool, typer.Option("--json", help="print only the results as JSON")] = False,
                 gradescope: Annotated[Optional[str], typer.Option(
                     "--gradescope", metavar="PATH", help="also write the results to PATH (Gradescope's results.json)")
                 ] = None,
                 prairielearn: Annotated[Optional[str], typer.Option(
                     "--prairielearn", metavar="PATH",
                     help="also write PrairieLearn's external-grader results to PATH")] = None,
                 report: Annotated[Optional[str], typer.Option(
                     "--report", metavar="FILE.html", help="with a folder of answers: the class's report, as HTML")
                 ] = None,
                 force: Annotated[bool, typer.Option(
                     "--force", help="write the results through a symbolic link, or over an input")] = False,
                 plain: PlainOpt = False) -> None:
    """Score a learner's answers: points per question, hints at the lesson's cost; exit 0 once graded.
    A results file is always written, an unusable answers file scoring 0 with the reason."""
    if Path(answers).is_dir():
        return grade_class(name, answers, report, as_json, gradescope or prairielearn, force, plain)
    if report:
        run(lambda: exit_unusable("--report goes with a folder of answers files", "--answers DIR --report FILE.html"))

    def body():
        from ..course.grade import grade, read_answers
        from ..course.lesson import read
        from ..engine.errors import TutorError
        from ..front.grade import (check_results, grade_json, grade_table, prairielearn_json, ungradable_json,
                                   ungradable_prairielearn, write_results)
        inputs = {answers: "the answers file", name: "the lesson"}
        outputs = {flag: path for flag, path in (("--gradescope", gradescope), ("--prairielearn", prairielearn))
                   if path}
        for flag, path in outputs.items():
            check_results(path, inputs, force, flag)

        def write(gradescope_data: dict, prairielearn_data: dict) -> None:
            for flag, path in outputs.items():
                write_results(path, gradescope_data if flag == "--gradescope" else prairielearn_data, inputs, force,
                              flag)
                say(f"wrote {path}")

        lesson = None
        try:
            lesson = read(name)
            given = read_answers(answers)
            warn_unasked(lesson, given, answers)
            graded = grade(lesson, given)
        except TutorError as error:  # the learner still gets a result: 0, and why
            reason = reason_of(error)
            write(ungradable_json(reason, lesson), ungradable_prairielearn(reason))
            raise
        except Exception as error:
            reason = f"the grader failed ({type(error).__name__}); this is a bug in shapetutor, not in your answers"
            write(ungradable_json(reason, lesson), ungradable_prairielearn(reason))
            raise
        results = grade_json(graded)  # JSON is data: the same text whatever the terminal
        write(results, prairielearn_json(graded))
        if graded.unjudged:
            say(f"warning: {graded.unjudged} attempts past the grading budget were counted, not judged")
        if as_json:
            emit_json(results)
        else:
            console(plain_terminal(plain)).print(grade_table(graded, look(plain)), crop=False)
        return 0
    run(body, as_json)


def exit_unusable(message: str, expected: str):
    from ..engine.errors import TutorError
    raise TutorError(message, expected=expected)


def grade_class(name: str, folder: str, report: str | None, as_json: bool, per_student: str | None, force: bool,
                plain: bool) -> None:
    """`lesson grade LESSON --answers DIR`: every answers file in DIR, and the class's report."""
    def body():
        from ..course.classroom import grade_folder
        from ..course.lesson import read
        from ..engine.errors import TutorError
        from ..front.class_report import class_json, class_table, to_html
        from ..front.files import check_export, write_export
        if per_student:
            raise TutorError("--gradescope and --prairielearn grade one submission; a folder is a class",
                             expected="--answers FILE for one learner, or --report FILE.html for the class")
        if report:
            if not report.lower().endswith((".html", ".htm")):
                raise TutorError(f"--report {report}: a report is a page", expected="a file name ending in .html")
            check_export(report, force, "--report")
        classroom = grade_folder(read(name), folder)
        if report:
            write_export(report, to_html(classroom), force, "--report")
            say(f"wrote {report}")
        if as_json:
            emit_json(class_json(classroom))
        else:
            console(plain_terminal(plain)).print(class_table(classroom, look(plain)), crop=False)
        return 0
    run(body, as_json)


def reason_of(error) -> str:
    """An input error in one line, for a results file: where, what, and what was expected."""
    where = error.origin or ""
    if error.span is not None and where:
        where += f":{error.span.line}"
    text = f"{where}: {error.message}" if where and where not in error.message else error.message
    return text + (f" (expected {error.expected})" if error.expected else "")


@lesson_app.command("validate")
def validate_lessons(files: Annotated[list[str], typer.Argument(help="lesson files or bundled ids",
                                                               autocompletion=completion.lessons)]) -> None:
    """Check lessons: schema, ids, names, answerable questions, the author's expectations; then play them."""
    def body():
        from ..engine.errors import TutorError
        from ..course.answer_key import AnswerKey
        from ..course.leaks import hint_leaks, leaks
        from ..course.lesson import read
        from ..course.validate import validate
        failed = False
        for spec in files:
            try:
                lesson = read(spec)
                problems = validate(lesson)
            except TutorError as error:
                problems = [error]
            for problem in problems:
                report(problem)
            if problems:
                failed = True
                continue
            key = AnswerKey(lesson)  # one derivation for both checks of what the worksheet would give away
            for leak in leaks(lesson, key):  # a warning: the lesson works, its worksheet leaks
                names = ", ".join(repr(q.id) for q in leak.questions) + (
                    f" and {leak.count - len(leak.questions)} more" if leak.count > len(leak.questions) else "")
                say(f"warning: {lesson.path}:{leak.line}: step {leak.step.id!r} states the answer to the later "
                    f"question{'s' if leak.count > 1 else ''} {names} ({leak.stated}); a worksheet would "
                    "give it away, so reword it or move it after the question")
            for hint in hint_leaks(lesson, key):  # a worksheet leaves such a hint out
                say(f"warning: {lesson.path}:{hint.line}: hint {hint.hint} of question {hint.step.id!r} states its "
                    f"answer ({hint.stated}); a hint should say where to look, so the worksheet leaves it out")
            say(f"✓ {spec}: {len(lesson.steps)} steps, every answer from the engine, every expectation holds",
                stdout=True)
        return 2 if failed else 0
    run(body)


@lesson_app.command("export")
def export_lesson(name: LessonArg,
                  output: Annotated[str, typer.Option("--output", "-o", help="FILE.html, .md, .txt or .svg")],
                  worksheet: Annotated[bool, typer.Option(
                      "--worksheet", help="questions with room to answer, and no answers")] = False,
                  force: Annotated[bool, typer.Option("--force", help="replace a file that is not an earlier export, "
                                                                      "or write through a symbolic link")] = False,
                  ) -> None:
    """Write a handout, usable offline: the answer key, or with --worksheet a worksheet to fill in."""
    def body():
        from ..front.handout import export
        from ..course.lesson import read
        export(read(name), output, worksheet=worksheet, force=force)
        say(f"wrote {output}")
    run(body)


@lesson_app.command("reset")
def reset_lessons(name: Annotated[Optional[str], typer.Argument(help="the lesson to forget",
                                                                autocompletion=completion.lessons)] = None,
                  all_lessons: Annotated[bool, typer.Option("--all", help="forget every lesson's progress")] = False,
                  yes: Annotated[bool, typer.Option("--yes", help="do not ask for confirmation")] = False) -> None:
    """Forget your progress in one lesson, or in all of them."""
    def body():
        from ..engine.errors import TutorError
        from ..course.lesson import read
        from ..course.progress import Progress
        if (name is None) == (not all_lessons):
            raise TutorError("say which lesson to reset, or --all")
        progress = Progress()
        lesson_id, source = None, ""
        if not all_lessons:
            lesson_id, source = which_progress(name, progress)
        what = "every lesson's progress" if all_lessons else f"your progress in {lesson_id}" + (
            f" ({source})" if source else "")
        if not yes:
            if not interactive():
                raise TutorError(f"not resetting {what} without confirmation", expected="--yes")
            if not typer.confirm(f"Forget {one_line(what)}?", default=False):
                return 1
        progress.remove(lesson_id, source)  # a failure to write is an error: nothing was forgotten
        warn(progress)
        say(f"forgot {what}")
    run(body)


def which_progress(name: str, progress) -> tuple[str, str]:
    """(lesson id, source) of the progress `lesson reset NAME` means: a lesson file's, a bundled lesson's,
    or the one lesson file `lesson list` shows under that id."""
    from ..course.lesson import read
    from ..engine.errors import TutorError
    if name.endswith(".toml") or Path(name).exists():
        found = [(read(name).id, str(Path(name).resolve()))]
    elif name in bundled_ids():
        found = [(name, "")]
    else:
        found = [(i, e.source) for i, e in progress.entries() if i == name]
    found = [f for f in found if progress.has(*f)]
    if len(found) != 1:
        sources = [e.source for i, e in progress.entries() if i == name]
        raise TutorError(f"no progress recorded for {name!r}" if not found else
                         f"several lesson files have the id {name!r}: {', '.join(sources)}",
                         expected="a lesson you have run (see `shapetutor lesson list`), or its file")
    return found[0]
