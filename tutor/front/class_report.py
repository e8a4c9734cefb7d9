"""A class's results for a TA: the score distribution, each question's right and wrong counts, and the
mistakes ranked by how many students made them, as one printable HTML page (charts drawn inline as
SVG, no script, nothing fetched), as JSON, or as a table at the terminal.

Examples of mistakes are answers, never who wrote them; file names appear only in the JSON's list of
submissions, for the TA's gradebook.
"""
from __future__ import annotations

import statistics
from html import escape as escape_html

from rich.console import Group, JustifyMethod
from rich.table import Table
from rich.text import Text

from ..course.answer_key import question_text
from ..course.classroom import Classroom, Mistake
from ..course.grade import tidy
from .diagnostics import VERDICT_TEXT
from .look import Look
from .html_doc import page_head
from .visible import visible


def escape(text: str) -> str:
    """Learner text in the page: its control characters made visible, then escaped as HTML."""
    return escape_html(visible(text))


def concept(m: Mistake, classroom: Classroom) -> str:
    """The misconception in words."""
    step = next(s for s in classroom.lesson.steps if s.id == m.question)
    if step.kind == "ask-shape":
        if m.shape is None:
            return "an answer that is not a shape"
        return f"answered {m.shape}" + (f": {m.detail}" if m.detail else "")
    words = VERDICT_TEXT.get(m.verdict, m.verdict.replace("_", " "))
    return words + (f" [{m.code}: `shapetutor explain {m.code}`]" if m.code else "")


def distribution(classroom: Classroom) -> list[tuple[str, int]]:
    """(score band, students), from 0 to the maximum: each score when there are few, else ten bands."""
    scores = [s.score for s in classroom.submissions]
    top = classroom.max_score
    values = sorted({tidy(x) for x in scores} | {0, tidy(top)})
    if len(values) <= 12:
        return [(str(v), sum(1 for x in scores if tidy(x) == v)) for v in values]
    width = top / 10
    bands = []
    for i in range(10):
        low, high = i * width, (i + 1) * width
        inside = sum(1 for x in scores if low <= x < high or (i == 9 and x == high))
        bands.append((f"{tidy(low)}–{tidy(high)}", inside))
    return bands


def class_json(classroom: Classroom) -> dict:
    counts = classroom.question_counts()
    steps = {s.id: s for s in classroom.lesson.steps}
    return {
        "lesson": classroom.lesson.id,
        "max_score": tidy(classroom.max_score),
        "submissions": [{"file": s.file, "score": tidy(s.score), "error": s.reason or None}
                        for s in classroom.submissions],
        "distribution": [{"scores": band, "students": n} for band, n in distribution(classroom)],
        "questions": [{"id": k, "question": question_text(steps[k]), "right": r, "wrong": w, "unanswered": u}
                      for k, (r, w, u) in counts.items()],
        "mistakes": [{"question": m.question, "verdict": m.verdict, "code": m.code, "concept": concept(m, classroom),
                      "students": m.students, "examples": list(m.examples)} for m in classroom.mistakes()],
    }


# -- the terminal -------------------------------------------------------------------------------------

def class_table(classroom: Classroom, look: Look, mistakes: int = 8) -> Group:
    scores = [s.score for s in classroom.submissions]
    head = Text(look.text(f"{classroom.lesson.id}: {len(scores)} submissions, mean {mean(scores)} / "
                          f"{tidy(classroom.max_score)}, median {median(scores)}"), style="bold")
    table = Table(box=look.box, title_justify="left")
    columns: tuple[tuple[str, JustifyMethod], ...] = (("question", "left"), ("right", "right"), ("wrong", "right"),
                                                      ("unanswered", "right"))
    for column, justify in columns:
        table.add_column(column, justify=justify)
    for k, (r, w, u) in classroom.question_counts().items():
        table.add_row(Text(k), str(r), str(w), str(u))
    lines = [Text(look.text(f"{m.students:>4} × {m.question}: {concept(m, classroom)}"))
             for m in classroom.mistakes()[:mistakes]]
    unread = sum(1 for s in classroom.submissions if not s.graded)
    tail = [Text(f"{unread} answers files could not be read (scored 0)", style="yellow")] if unread else []
    return Group(head, table, Text("The most common mistakes:" if lines else "No mistakes."), *lines, *tail)


def mean(xs) -> float:
    return round(statistics.fmean(xs), 2) if xs else 0


def median(xs) -> float:
    return tidy(statistics.median(xs)) if xs else 0


# -- the HTML report ----------------------------------------------------------------------------------

STYLE = """
:root { --ink: #1d232b; --muted: #5b6570; --line: #d5dbe1; --right: #2f7d46; --wrong: #b3412e; --none: #c3c9cf;
        --bar: #3a6ea5; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: var(--ink); font: 16px/1.5 "DejaVu Sans", "Segoe UI", Arial, sans-serif; }
main { max-width: 52rem; margin: 0 auto; padding: 1.5rem 1.2rem 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-top: 1px solid var(--line);
  padding-top: 1rem; }
.meta { color: var(--muted); margin: 0 0 1rem; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .3rem .5rem;
  border-bottom: 1px solid var(--line); vertical-align: middle; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
ol.mistakes li { margin: 0 0 .9rem; } .count { font-weight: bold; } .detail { color: var(--muted); }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .9em; background: #f2f4f6;
  padding: 0 .2em; overflow-wrap: anywhere; }
svg text { font: 12px "DejaVu Sans", Arial, sans-serif; fill: var(--ink); }
.legend span { display: inline-block; width: .8em; height: .8em; margin: 0 .3em 0 1em; vertical-align: -.05em; }
@page { margin: 15mm; }
@media print { main { max-width: none; padding: 0; } h2, li, tr, svg { break-inside: avoid; page-break-inside: avoid; }
  h2 { break-after: avoid; page-break-after: avoid; } }
"""
RIGHT, WRONG, NONE = "#2f7d46", "#b3412e", "#c3c9cf"   # SVG attributes take colours, not CSS variables


def histogram(bands: list[tuple[str, int]]) -> str:
    """Bars of students per score band, as inline SVG."""
    width, height, left, bottom = 640, 220, 34, 36
    most = max((n for _, n in bands), default=0) or 1
    slot = (width - left) / max(1, len(bands))
    parts = [f'<svg role="img" aria-label="score distribution" viewBox="0 0 {width} {height}" width="100%">',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="#999"/>']
    for i, (band, n) in enumerate(bands):
        h = (height - bottom - 20) * n / most
        x = left + i * slot + slot * 0.15
        y = height - bottom - h
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" fill="#3a6ea5">'
                     f"<title>{escape(band)}: {n}</title></rect>")
        parts.append(f'<text x="{x + slot * 0.35:.1f}" y="{y - 4:.1f}" text-anchor="middle">{n}</text>')
        parts.append(f'<text x="{x + slot * 0.35:.1f}" y="{height - bottom + 16}" text-anchor="middle">'
                     f"{escape(band)}</text>")
    parts.append(f'<text x="{left + (width - left) / 2:.0f}" y="{height - 4}" text-anchor="middle">points</text>')
    parts.append("</svg>")
    return "".join(parts)


def stacked(right: int, wrong: int, unanswered: int) -> str:
    """One question's right / wrong / unanswered shares as a small inline SVG bar."""
    total = right + wrong + unanswered or 1
    width, x = 200, 0.0
    parts = [f'<svg role="img" aria-label="{right} right, {wrong} wrong, {unanswered} unanswered" '
             f'viewBox="0 0 {width} 14" width="{width}" height="14">']
    for n, colour in ((right, RIGHT), (wrong, WRONG), (unanswered, NONE)):
        w = width * n / total
        if w:
            parts.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="14" fill="{colour}"/>')
        x += w
    parts.append("</svg>")
    return "".join(parts)


def to_html(classroom: Classroom) -> str:
    lesson = classroom.lesson
    scores = [s.score for s in classroom.submissions]
    unread = [s for s in classroom.submissions if not s.graded]
    steps = {s.id: s for s in lesson.steps}
    rows = "".join(
        f"<tr><td><code>{escape(k)}</code> {escape(question_text(steps[k]))}</td><td class=n>{r}</td>"
        f"<td class=n>{w}</td><td class=n>{u}</td><td>{stacked(r, w, u)}</td></tr>"
        for k, (r, w, u) in classroom.question_counts().items())
    items = []
    for m in classroom.mistakes():
        examples = ", ".join(f"<code>{escape(e)}</code>" for e in m.examples)
        detail = f'<div class="detail">{escape(m.detail)}</div>' if m.detail and steps[m.question].kind != "ask-shape" else ""
        items.append(f'<li><span class="count">{m.students} student{"s" if m.students != 1 else ""}</span> · '
                     f"<code>{escape(m.question)}</code>: {escape(concept(m, classroom))}{detail}"
                     f'<div>for example {examples}</div></li>')
    mistakes = f'<ol class="mistakes">{"".join(items)}</ol>' if items else "<p>No mistakes.</p>"
    unreadable = ""
    if unread:
        reasons = "".join(f"<li>{escape(s.reason)}</li>" for s in unread)
        unreadable = (f"<h2>Answers files that could not be read</h2><p>{len(unread)} scored 0:</p>"
                      f"<ul>{reasons}</ul>")
    return f"""{page_head(f"{lesson.title}: class report", STYLE)}
<body>
<main>
<h1>{escape(lesson.title)}</h1>
<p class="meta">Lesson <code>{escape(lesson.id)}</code> · {len(scores)} submissions · mean {mean(scores)} and median
{median(scores)} of {tidy(classroom.max_score)} points</p>
<h2>Scores</h2>
{histogram(distribution(classroom))}
<h2>Questions</h2>
<p class="legend"><span style="background:var(--right)"></span>right<span style="background:var(--wrong)"></span>wrong<span
 style="background:var(--none)"></span>unanswered</p>
<table><thead><tr><th>question</th><th>right</th><th>wrong</th><th>unanswered</th><th></th></tr></thead>
<tbody>{rows}</tbody></table>
<h2>Mistakes, the most common first</h2>
<p class="meta">Each counts the students who made it at least once, even if they corrected it later.</p>
{mistakes}
{unreadable}
</main>
</body>
</html>
"""
