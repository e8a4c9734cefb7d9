"""Lessons: the TOML format, read with `tomllib`, into a checked `Lesson`.

An author never writes an answer: the engine computes every one. An author may
write an expectation (`expect = "Dx×H"`, `expect_verdict = "transposed"`), and
`validate` proves the engine agrees. Every problem carries `file:line`.
"""
from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..engine.diagnostics import source_lines
from ..engine.errors import Span, TutorError, UnreadableError
from ..engine.files import decode as decode_text, read_text
from ..engine.language.network import Network, load, parse_network
from ..judge.result import VERDICTS  # noqa: F401  (the verdicts a lesson can give, for its readers)
from . import kinds
from .bundled import bundled, bundled_folder  # noqa: F401  (where they were first defined)
from .step import COMMON_KEYS, LessonStep

FORMAT_VERSION = 1
#: The kinds of step, in the order messages list them (the table is `kinds.KINDS`).
KINDS = tuple(kinds.KINDS)
# `expect_verdict` takes every verdict a lesson can give, which are check's VERDICTS: an answered shape
# question is `correct`, `wrong_shape` or `unusable`; a formula gets check's own verdict.
TOP_KEYS = {"format_version", "id", "title", "summary", "network", "steps", "hint_cost"}
#: Grading: hints cost nothing unless the lesson says.
MAX_POINTS = 1_000_000
MAX_LESSON_BYTES = 1_000_000
#: Lesson ids name lessons in commands, file names and saved progress: plain characters only.
LESSON_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


#: The origin of a network written inline in the lesson (`[network] source = """…"""`).
INLINE = "[network] source"


class LessonError(TutorError):
    code = "E400"


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    summary: str
    network: Network
    dims: dict[str, int]
    steps: tuple[LessonStep, ...]
    path: Path | None = None
    source: str = field(default="", repr=False)
    hint_cost: float = 0                   # points off per hint used, for steps that do not say

    def cost_of_hints(self, step: LessonStep) -> float:
        return self.hint_cost if step.hint_cost is None else step.hint_cost

    def index(self, step_id: str) -> int | None:
        return next((i for i, s in enumerate(self.steps) if s.id == step_id), None)


def network_title(lesson: "Lesson") -> str:
    """What to call a lesson's network: a bundled example or a file by its name; a network written
    inline by its first comment line, or else the lesson's title."""
    net = lesson.network
    if net.origin != INLINE:
        return net.origin
    for line in net.source.splitlines():
        text = line.strip()
        if text.startswith("#") and text.lstrip("#").strip():
            return text.lstrip("#").strip()
        if text:
            break
    return lesson.title


def step_title(step: LessonStep) -> str:
    """A step's title, or a plain one from its kind."""
    return step.title or kinds.KINDS[step.kind].title(step)


def find(spec: str) -> tuple[str, str, Path | None]:
    """A bundled lesson's id or a path → (text, origin, folder for relative network paths)."""
    path = Path(spec)
    if spec.endswith(".toml") or path.exists() or "/" in spec:
        try:
            text = read_text(spec, "lesson", MAX_LESSON_BYTES)
        except UnreadableError as exc:
            raise LessonError(exc.message, origin=exc.origin,
                              expected="a lesson file, or one of: " + ", ".join(bundled())) from None
        return text, spec, path.resolve().parent
    entries = bundled()
    if spec not in entries:
        raise LessonError(f"no lesson named {spec!r}", expected="one of: " + ", ".join(entries))
    entry = entries[spec]
    folder = Path(str(entry)).parent if not isinstance(entry, Path) else entry.parent
    return decode(entry.read_bytes(), f"{spec}.toml"), f"lessons/{spec}.toml", folder


def decode(data: bytes, origin: str) -> str:
    try:
        return decode_text(data, origin)
    except UnreadableError as exc:
        raise LessonError(exc.message, origin=origin, expected=exc.expected) from None


class Locator:
    """Finds the line of a step (or of one of its keys) in the TOML text, for messages."""

    def __init__(self, text: str):
        self.lines = source_lines(text)
        self.step_lines = [i + 1 for i, line in enumerate(self.lines) if line.strip().startswith("[[steps]]")]

    def step(self, index: int, key: str | None = None) -> int:
        if index >= len(self.step_lines):
            return 1
        start = self.step_lines[index]
        end = self.step_lines[index + 1] if index + 1 < len(self.step_lines) else len(self.lines) + 1
        if key:
            for n in range(start, end):
                if re.match(rf"\s*{re.escape(key)}\s*=", self.lines[n - 1]):
                    return n
        return start

    def top(self, key: str) -> int:
        for n, line in enumerate(self.lines, 1):
            if re.match(rf"\s*{re.escape(key)}\s*=", line) or line.strip() == f"[{key}]":
                return n
        return 1


def read_toml(text: str, origin: str) -> dict:
    """TOML text as data; a syntax error, or nesting too deep for the parser, is a located `LessonError`."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+), column (\d+)", str(exc))
        line, col = (int(match.group(1)), int(match.group(2)) - 1) if match else (1, 0)
        raise LessonError(f"TOML syntax error: {str(exc).split(' (at')[0]}", Span(line, col, col + 1),
                          source=text, origin=origin) from None
    except RecursionError:  # tomllib recurses once per level of nesting
        lines = source_lines(text)
        line = max(range(len(lines)), key=lambda i: lines[i].count("[") + lines[i].count("{"))
        raise LessonError("TOML nested too deeply", Span(line + 1, 0, 1), source=text, origin=origin,
                          expected="tables and arrays nested a few levels at most") from None


def parse(text: str, origin: str, folder: Path | None) -> Lesson:
    where = Locator(text)

    def fail(message: str, line: int = 1, expected: str | None = None) -> LessonError:
        return LessonError(message, Span(line, 0, 1), source=text, origin=origin, expected=expected)

    data = read_toml(text, origin)
    if data.get("format_version") != FORMAT_VERSION:
        raise fail(f"format_version must be {FORMAT_VERSION}", where.top("format_version"))
    for key in ("id", "title", "summary"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise fail(f"the lesson needs a non-empty `{key}` string", where.top(key))
    if not LESSON_ID.fullmatch(data["id"]):
        raise fail(f"the lesson id {data['id']!r} must be up to 64 letters, digits, - _ or ., starting with a "
                   "letter or a digit", where.top("id"), "an id such as 03-batches")
    unknown = set(data) - TOP_KEYS
    if unknown:
        raise fail(f"unknown top-level key {sorted(unknown)[0]!r}", where.top(sorted(unknown)[0]))
    hint_cost = points_value(data.get("hint_cost", 0), "hint_cost",
                             lambda message: fail(message, where.top("hint_cost")))
    network, dims = lesson_network(data.get("network"), folder, fail, where)
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise fail("a lesson needs at least one [[steps]] table", where.top("steps") if "steps" in data else 1)
    steps = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(raw_steps):
        if not isinstance(raw, dict):
            raise fail(f"step {i + 1} is {toml_type(raw)}, not a table", where.step(i) if where.step_lines else
                       where.top("steps"), "each step as a [[steps]] table with an id and a kind")
        line = where.step(i)
        known = COMMON_KEYS | kinds.all_keys()
        extra = set(raw) - known
        if extra:
            key = sorted(extra)[0]
            raise fail(f"step {i + 1}: unknown key {key!r}", where.step(i, key), "one of " + ", ".join(sorted(known)))
        step_id = raw.get("id")
        if not isinstance(step_id, str) or not re.fullmatch(r"[A-Za-z0-9_.-]+", step_id or ""):
            raise fail(f"step {i + 1} needs an `id` made of letters, digits, - _ or .", where.step(i, "id"))
        if step_id in seen:
            raise fail(f"step id {step_id!r} is used twice (first at line {seen[step_id]})", where.step(i, "id"))
        seen[step_id] = where.step(i, "id")
        kind = raw.get("kind")
        if kind not in kinds.KINDS:
            raise fail(f"step {step_id!r}: kind must be one of {', '.join(kinds.KINDS)}", where.step(i, "kind"))
        hints = raw.get("hints", [])
        if not isinstance(hints, list) or not all(isinstance(h, str) for h in hints):
            raise fail(f"step {step_id!r}: hints must be a list of strings", where.step(i, "hints"))
        for key in ("title", "text", "view", "node", "of", "wrt", "derivation", "expect", "expect_verdict", "notes"):
            if key in raw and not isinstance(raw[key], str):
                raise fail(f"step {step_id!r}: {key} must be a string", where.step(i, key))
        for key in sorted(set(raw) - COMMON_KEYS - kinds.KINDS[kind].keys):
            raise fail(f"step {step_id!r}: `{key}` belongs on {owners(key)}, not on a {kind} step", where.step(i, key))
        grading = {}
        for key in ("points", "hint_cost"):
            if key in raw:
                grading[key] = points_value(raw[key], f"step {step_id!r}: {key}",
                                            lambda message, key=key: fail(message, where.step(i, key)))
        step = LessonStep(step_id, kind, line, raw.get("title", ""), raw.get("text", ""), raw.get("view", ""),
                    raw.get("node"), raw.get("of"), raw.get("wrt"), raw.get("derivation"), raw.get("expect"),
                    raw.get("expect_verdict"), tuple(hints), **grading, notes=raw.get("notes", ""),
                    is_question=kinds.KINDS[kind].question)
        def fail_here(message: str, key: str | None = None, i: int = i) -> Exception:
            return fail(message, where.step(i, key))
        kinds.KINDS[kind].check(step, network, fail_here)
        steps.append(step)
    return Lesson(data["id"], data["title"], data["summary"], network, dims, tuple(steps), None, text, hint_cost)


def toml_type(value) -> str:
    """What a TOML value is, in words."""
    for kind, name in ((bool, "a boolean"), (str, "a string"), (int, "an integer"), (float, "a number"),
                       (list, "an array"), (dict, "a table")):
        if isinstance(value, kind):
            return name
    return "a date or time"


def owners(key: str) -> str:
    """The kinds of step a key belongs on, in words."""
    names = [name for name, k in kinds.KINDS.items() if key in k.keys]
    if set(names) == set(kinds.QUESTIONS):
        return f"a question ({' or '.join(names)})"
    return "a " + " or ".join(names) + " step"


def points_value(value, what: str, fail) -> float:
    """Points and hint costs: a number from 0 up, written as TOML writes numbers."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not 0 <= value <= MAX_POINTS:
        raise fail(f"{what} must be a number from 0 to {MAX_POINTS:,}, not {value!r}")
    return value


def lesson_network(table, folder: Path | None, fail, where: Locator) -> tuple[Network, dict[str, int]]:
    if not isinstance(table, dict):
        raise fail("the lesson needs a [network] table with `bundled`, `source` or `path`", where.top("network"))
    given = [k for k in ("bundled", "source", "path") if k in table]
    if len(given) != 1:
        raise fail("[network] needs exactly one of `bundled`, `source` or `path`", where.top("network"))
    line = where.top(given[0])
    try:
        if "bundled" in table:
            if "/" in str(table["bundled"]) or str(table["bundled"]).endswith(".net"):
                raise fail("`bundled` names a bundled example; use `path` for a file", line)
            network = load(str(table["bundled"]))
        elif "source" in table:
            network = parse_network(str(table["source"]), INLINE)
        else:
            if folder is None:
                raise fail("a network `path` needs the lesson to be a file", line)
            target = (folder / str(table["path"])).resolve()
            if not target.is_relative_to(folder.resolve()):
                raise fail(f"the network path {table['path']!r} leaves the lesson's folder", line,
                           "a path inside the lesson's own folder")
            network = load(str(target))
    except LessonError:
        raise
    except TutorError as exc:
        raise fail(f"[network]: {exc.message}" + (f" (at line {exc.span.line} of the network)" if exc.span else ""),
                   line) from None
    dims = table.get("dims", {})
    if not isinstance(dims, dict) or not all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 1_000_000
                                             for v in dims.values()):
        raise fail("[network] dims must map dimension symbols to integers from 1 to 1,000,000", where.top("dims"))
    try:
        network.bindings(dims)
    except TutorError as exc:
        raise fail(f"[network] dims: {exc.message}", where.top("dims")) from None
    return network, dict(dims)


def read(spec: str) -> Lesson:
    text, origin, folder = find(spec)
    lesson = parse(text, origin, folder)
    return replace(lesson, path=Path(origin), source=text)
