"""`check FILE.py`: read the file, build its network, judge each gradient with `check`, point back into the file."""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field, replace

from ..engine.diagnostics import Diagnostic, Span
from ..engine.errors import ParseError, TutorError
from ..engine.language.ir import parse_python
from ..engine.files import decode, read_bytes
from ..engine.language.network import Network
from ..judge.check import check
from ..judge.result import CheckResult
from .build import Flat, Text, build_network, data_weights, derivation_text
from .diagnosis import one_per_mistake
from .dispatch import read
from .layer_lists import ONE_EXAMPLE, reads_a_batch
from .entry import pick
from .names import with_learners_names
from .per_example import examples_axis
from .per_example import file_note as per_example_file_note
from .per_example import note as per_example_note
from .reader import Reader

ORDER = ("correct", "scaled", "transposed", "wrong_value", "wrong_shape", "shape_error", "unusable")


@dataclass(frozen=True)
class Judged:
    """One gradient of the file: the learner's name for it, its leaf, and the check's result in the file's terms."""

    key: str
    leaf: str
    result: CheckResult | None
    line: int | None
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def verdict(self) -> str:
        return self.result.verdict if self.result is not None else "unusable"

    def to_json(self) -> dict:
        r = self.result
        return {"verdict": self.verdict, "line": self.line,
                "shape_ok": r.shape_ok if r is not None else False,
                "value_ok": r.value_ok if r is not None else None,
                "diagnostics": [d.to_json() for d in self.diagnostics]}


@dataclass(frozen=True)
class FileResult:
    """The verdict on a homework file (SPEC §7); `to_json()` is what `check FILE.py --json` prints."""

    file: str
    source: str
    entry: str | None
    network: Network | None
    gradients: dict = field(default_factory=dict)     # key → Judged
    diagnostics: tuple[Diagnostic, ...] = ()
    notes: tuple[str, ...] = ()
    network_text: str = ""

    @property
    def verdict(self) -> str:
        if self.network is None or not self.gradients:
            return "unusable"
        return max((g.verdict for g in self.gradients.values()), key=ORDER.index)

    @property
    def correct(self) -> bool:
        return self.verdict == "correct"

    def to_json(self) -> dict:
        net = {"loss": self.network.loss, "nodes": self.network.nodes_json()} if self.network is not None else None
        return {"file": self.file, "entry": self.entry, "verdict": self.verdict, "network": net,
                "gradients": {k: g.to_json() for k, g in self.gradients.items()},
                "diagnostics": [d.to_json() for d in self.diagnostics],
                "notes": list(self.notes)}


def parse_sets(text: str | None) -> dict:
    """`--set hidden_dims=[4,3],keep_prob=0.8,normalization=batchnorm` → settings."""
    out: dict = {}
    if not text:
        return out
    items, depth, current = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            items.append(current)
            current = ""
            continue
        depth += ch in "[(" 
        depth -= ch in "])"
        current += ch
    items.append(current)
    for item in items:
        if not item.strip():
            continue
        if "=" not in item:
            raise TutorError(f"--set {item!r} is not NAME=VALUE", expected="--set hidden_dims=[4,3],reg=0.1",
                             argument=("set", item))
        name, value = (s.strip() for s in item.split("=", 1))
        try:
            parsed = ast.literal_eval(parse_python(value, mode="eval"))
        except (ValueError, SyntaxError):
            parsed = value
        if isinstance(parsed, tuple):
            parsed = list(parsed)
        if not isinstance(parsed, (int, float, str, list, bool)) or (
                isinstance(parsed, list) and not all(isinstance(v, int) and v > 0 for v in parsed)):
            raise TutorError(f"--set {name}: {value!r} is not a number, a list of sizes or a string",
                             argument=("set", item))
        out[name] = parsed
    return out


def parse_shapes(text: str | None) -> dict:
    """`--shapes 'X: [N, D]; y: int[N] < C'` → name → (kind, axes, bound)."""
    out: dict = {}
    if not text:
        return out
    from ..engine.language.network import declaration
    from ..engine.language.parse import Reader as ExprReader
    reader = ExprReader("\n".join(part.strip() for part in text.replace(";", "\n").splitlines()), "--shapes")
    for stmt in reader.parse_module().body:
        if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is None):
            raise reader.error(ParseError, "a declaration is `name: [dims]`", stmt, "X: [N, D]; y: int[N] < C")
        kind, shape, bound = declaration(reader, stmt.annotation)
        out[stmt.target.id] = (kind, [d.coeff if d.is_literal else str(d) for d in shape],
                               str(bound) if bound is not None else None)
    return out


def check_file(path: str, *, function: str | None = None, wrt: str | None = None, dims: dict | None = None,
               settings: dict | None = None, shapes: dict | None = None, suggestion: bool = True,
               source: str | None = None) -> FileResult:
    """Judge every gradient a homework file computes (or only `wrt`); the file is never run."""
    if source is None:
        source = decode(read_bytes(path, "homework file"), path)
    try:
        return judge_source(source, path, function, wrt, dims or {}, settings or {}, shapes or {}, suggestion)
    except TutorError as error:
        if error.argument and error.argument[0] in ("wrt", "function"):  # the caller's mistake, not the file's
            raise
        diagnostic = error.diagnostic
        diagnostic = replace(diagnostic, origin=path)
        return FileResult(path, source, function, None, {}, (diagnostic,))


def judge_source(source: str, path: str, function, wrt, dims: dict, settings: dict, shapes: dict,
                 suggestion: bool) -> FileResult:
    from ..engine.language.parse import Reader as TextReader
    tree = TextReader(source, path).parse_module()
    sizes = {k: v for k, v in dims.items()}
    results = []
    chosen = None
    entries = pick(Reader(source, path, tree, settings, sizes), function)
    def judged(driver: str, name: str, override: dict | None = None) -> FileResult:
        reader = Reader(source, path, tree, settings, sizes)
        reader.bias_override = dict(override or {})
        declare(reader, shapes)
        reading = read(reader, driver, name)
        result = judge_reading(reading, source, path, wrt, dims, suggestion, len(entries) > 1)
        if override is not None:
            return result
        again = lambda o: judged(driver, name, o)  # noqa: E731
        if driver in ("lists", "object_lists") and not reads_a_batch(tree):
            result = one_example_reading(result, again)
        return vector_reading(other_bias_reading(result, reader, again), reading, again)

    for driver, name in entries:
        chosen = name if chosen is None else f"{chosen}, {name}"
        if len(entries) == 1:
            results.append(judged(driver, name))
            continue
        try:  # a file of several layers: one that cannot be read leaves the others judged
            results.append(judged(driver, name))
        except TutorError as error:
            if error.argument and error.argument[0] == "wrt":
                continue
            d = replace(error.diagnostic, origin=path)
            results.append(FileResult(path, source, name, None, {name: Judged(name, "", None, d.line, (d,))}, ()))
    if wrt is not None and not any(r.gradients for r in results):
        raise TutorError(f"the file computes no gradient {wrt!r}", argument=("wrt", wrt))
    if len(results) == 1:
        return results[0]
    gradients, notes, texts = {}, list[str](), []
    for r in results:
        assert r.entry is not None  # each of several results is one entry point's
        for k, g in r.gradients.items():
            gradients[f"{r.entry.split('/')[-1]}.{k}" if not k.startswith(r.entry.split(".")[0]) else k] = g
        notes.extend(r.notes)
        texts.append(r.network_text)
    network = next((r.network for r in results if r.network is not None), None)
    gradients = {k: g for k, g in gradients.items()}
    return FileResult(path, source, chosen, network, gradients, sum((r.diagnostics for r in results), ()),
                      tuple(notes), "\n\n".join(texts))


def other_bias_reading(result: FileResult, reader: Reader, again) -> FileResult:
    """A bias whose shape the file does not state is read in one course's convention (build.bias_conventions);
    when the file's own gradient does not have that shape, the other course's convention is tried, and kept if
    the gradient has the bias's shape there (the file's own answer decides, not the guess). A wrong shape that
    remains rests on the guess, and its diagnostic says so."""
    guessed = {leaf.ident: leaf.key for leaf in reader.leaves.values() if leaf.key in reader.bias_guesses}
    misfits = [g for g in result.gradients.values() if g.leaf in guessed and g.verdict == "wrong_shape"]
    if not misfits:
        return cautioned(result, reader)
    correct = sum(g.verdict == "correct" for g in result.gradients.values())
    for override in other_bias_shapes(reader, [guessed[g.leaf] for g in misfits]):
        try:
            other = again(override)
        except TutorError:
            continue
        if all(k in other.gradients and other.gradients[k].result is not None
               and other.gradients[k].result.shape_ok for k in (g.key for g in misfits)) \
                and sum(g.verdict == "correct" for g in other.gradients.values()) >= correct:
            return other
    return cautioned(result, reader)


def one_example_reading(result: FileResult, again) -> FileResult:
    """Per-layer lists (layer_lists.py) are first read with a batch of m examples; when a gradient does not have
    its parameter's shape there (a bias's gradient that is the layer's own `dl_df`, a column per example) and
    more have it for one example, the file is read as its notebook calls it: one example, a column."""
    def score(r: FileResult) -> tuple[int, int]:
        return (sum(g.result is not None and g.result.shape_ok for g in r.gradients.values()),
                sum(g.verdict == "correct" for g in r.gradients.values()))
    if result.network is None or all(g.result is None or g.result.shape_ok for g in result.gradients.values()):
        return result
    try:
        other = again({ONE_EXAMPLE: "one"})
    except TutorError:
        return result
    if other.network is None or set(other.gradients) != set(result.gradients) or score(other) <= score(result):
        return result
    return other


def vector_reading(result: FileResult, reading, again) -> FileResult:
    """A weight of unstated shape that the data multiply on the left (`X.dot(w)`) is first read as a matrix; when
    the file's own gradients fit a vector better (`db = np.sum(diff) / N` is a scalar: one output per example),
    the linear model's reading is kept: the weight a vector, its bias a scalar. The file's answer decides."""
    if result.correct or result.network is None:
        return result
    weights = data_weights(reading, Flat.of(reading))
    if not weights:
        return result

    def score(r: FileResult) -> tuple[int, int]:
        return (sum(g.result is not None and g.result.shape_ok for g in r.gradients.values()),
                sum(g.verdict == "correct" for g in r.gradients.values()))
    override = {k: "vector" for k in weights}
    override.update({bias: "scalar" for bias in weights.values() if bias})
    try:
        other = again(override)
    except TutorError:
        return result
    if other.network is None or set(other.gradients) != set(result.gradients) or score(other) <= score(result):
        return result
    return other


def cautioned(result: FileResult, reader: Reader) -> FileResult:
    """Each verdict against the learner on a parameter whose shape the file does not state rests on the shape
    guessed for it: its diagnostic says so, and which `--shapes` settles it."""
    gradients = dict(result.gradients)
    for g in result.gradients.values():
        if g.verdict in ("correct", "unusable") or g.leaf not in reader.guessed:
            continue
        leaf = reader.leaves[g.leaf]
        shape = guessed_shape(leaf)
        what = f"a bias of shape {shape}" if leaf.key in reader.bias_guesses else shape
        gradients[g.key] = with_caution(g, f"the file does not state {leaf.key}'s shape: this verdict rests on "
                                           f"reading {leaf.key} as {what} (--shapes '{leaf.key}: [...]' if it has "
                                           "another)")
    return replace(result, gradients=gradients)


def guessed_shape(leaf) -> str:
    """A guessed leaf's shape as the notes say it: `[n_h, 1]`, or a scalar."""
    return f"[{', '.join(map(str, leaf.shape))}]" if leaf.shape else "a scalar"


def other_bias_shapes(reader: Reader, keys: list[str]) -> list[dict[str, str]]:
    """The readings to try for these guessed biases: the other course's convention, and a scalar where the
    guess is one number in disguise (`np.dot(w.T, X) + b` with one output: deeplearning.ai's logistic
    regression keeps b a scalar). Never a shape with the examples' axis: a missing sum must not fit."""
    other = {k: "columns" if reader.bias_guesses[k] == "rows" else "rows" for k in keys}
    found = [other]
    ones = [k for k in keys if all(str(d) == "1" for d in reader.leaves[next(
        i for i, leaf in reader.leaves.items() if leaf.key == k)].shape or ())]
    if ones:
        found.append({**other, **{k: "scalar" for k in ones}})
    return found


def with_caution(judged: Judged, caution: str) -> Judged:
    """The verdict's first error, with a note that the parameter's shape was only guessed."""
    first = next((d for d in judged.diagnostics if d.severity == "error"), None)
    if first is None:
        return judged

    def amend(d: Diagnostic) -> Diagnostic:
        same = d.code == first.code and d.span == first.span and d.message == first.message
        return replace(d, note=f"{d.note}; {caution}" if d.note else caution) if same else d
    result = judged.result
    if result is not None:
        result = replace(result, diagnostics=tuple(amend(d) for d in result.diagnostics))
    return replace(judged, result=result, diagnostics=tuple(amend(d) for d in judged.diagnostics))


def declare(reader: Reader, shapes: dict) -> None:
    """`--shapes` declarations, used where the file makes a leaf of that name."""
    reader.declared = shapes  # type: ignore[attr-defined]
    original = reader.leaf

    def leaf(key, shape, node=None, role="parameter", kind="float", bound=None):
        if key in shapes:
            k, axes, b = shapes[key]
            shape = [a if isinstance(a, int) else reader.dim(a) for a in axes]
            kind = "int" if k == "int" else kind
            bound = reader.dim(b) if b else bound
        return original(key, shape, node, role, kind, bound)
    reader.leaf = leaf  # type: ignore[method-assign]


def judge_reading(reading, source: str, path: str, wrt: str | None, dims: dict, suggestion: bool,
                  multiple: bool) -> FileResult:
    reading = with_learners_names(reading)
    flat = Flat.of(reading)
    network, net_text, forward = build_network(reading, flat)
    given = {k: v for k, v in {**reading.reader.numbers, **dims}.items() if k in network.dims}
    read_somewhere = set().union(*flat.reads) if flat.reads else set()
    for ident in dict.fromkeys(reading.reader.guessed):
        leaf = reading.reader.leaves[ident]
        if ident not in read_somewhere:  # an argument the file never computes with (word2vec's `dataset`)
            continue
        reading.notes.append(f"the shape of {leaf.key} is not stated; it is read as {guessed_shape(leaf)} from how "
                             f"the file uses it (--shapes '{leaf.key}: [...]' to say otherwise)")
    gradients = {}
    wanted = [g for g in reading.gradients if wrt is None or wrt in (g.key, g.leaf)]
    if wrt is not None and not wanted:
        raise TutorError(f"the file computes no gradient {wrt!r}",
                         expected="one of: " + ", ".join(g.key for g in reading.gradients), argument=("wrt", wrt))
    texts, results = {}, {}
    for g in wanted:
        try:
            texts[g.key] = derivation_text(reading, flat, forward, g)
        except TutorError as error:
            gradients[g.key] = Judged(g.key, g.leaf, None, None, (replace(error.diagnostic, origin=path),))
            continue
        results[g.key] = check(network, g.leaf, texts[g.key].text, given, origin=path, suggestion=suggestion)
    m = examples_axis(reading)
    per_example = per_example_results(reading, flat, m, wanted, texts, results, given, path, suggestion) \
        if m is not None else {}
    for g in wanted:
        if g.key not in results:
            continue
        judged = in_file(g, per_example.get(g.key, results[g.key]), texts[g.key], source, path)
        if g.key in per_example and per_example[g.key].verdict == "correct" and m is not None:
            judged = with_diagnostic(judged, per_example_note(reading, m, g.key, line_span(texts[g.key]), path))
        gradients[g.key] = judged
    if per_example and m is not None:
        reading.notes.append(per_example_file_note(reading, m))
    if not reading.gradients:
        return FileResult(path, source, reading.entry, network, {}, (Diagnostic(
            "E100", "error", "no gradient found in what the entry point returns", origin=path,
            expected="return the gradients: a dict grads['W1'], a tuple (dx, dw, db), or self.dweights"),),
            tuple(reading.notes), net_text.text)
    return FileResult(path, source, reading.entry, network, gradients, (), tuple(reading.notes), net_text.text)


def per_example_results(reading, flat: Flat, m, wanted, texts: dict, results: dict, given: dict, path: str,
                        suggestion: bool) -> dict:
    """The parameters' gradients judged in deeplearning.ai's per-example convention (per_example.py), when it
    makes one of them right that the plain product calls scaled: key → result. Empty when it does not."""
    network = build_network(reading, flat, m)[0]
    params = [g for g in wanted if g.key in results and g.leaf != reading.data]
    again = {g.key: check(network, g.leaf, texts[g.key].text, given, origin=path, suggestion=suggestion)
             for g in params if results[g.key].verdict in ("correct", "scaled")}
    if not any(results[k].verdict == "scaled" and r.verdict == "correct" for k, r in again.items()):
        return {}
    return {g.key: again.get(g.key) or check(network, g.leaf, texts[g.key].text, given, origin=path,
                                             suggestion=suggestion) for g in params}


def with_diagnostic(judged: Judged, d: Diagnostic) -> Judged:
    result = judged.result
    if result is not None:
        result = replace(result, diagnostics=result.diagnostics + (d,))
    return replace(judged, result=result, diagnostics=judged.diagnostics + (d,))


def line_span(text: Text) -> Span | None:
    """The gradient's own line in the file (where its 1/m is)."""
    where = text.locate(len(text.origins), 0)
    end = text.locate(len(text.origins), 10_000, end=True)
    if where is None:
        return None
    return Span(where[0], where[1], end[1] if end is not None and end[0] == where[0] else where[1] + 1)


def in_file(g, result: CheckResult, text: Text, source: str, path: str) -> Judged:
    """The check's result with every span moved from the flattened text to the file."""
    def move(span: Span | None) -> Span | None:
        if span is None:
            return None
        start = text.locate(span.line, span.col)
        if start is None:
            return None
        end = text.locate(span.line, span.end_col, end=True)
        end_col = end[1] if end is not None and end[0] == start[0] and end[1] > start[1] else start[1] + 1
        return Span(start[0], start[1], end_col)

    def lines_in_file(message: str) -> str:
        """`line 3` of the flattened text, in a message, is the file's own line."""
        def one(m):
            where = text.locate(int(m.group(1)), 0)
            return f"line {where[0]}" if where else m.group(0)
        return re.sub(r"\bline (\d+)\b", one, message)

    diagnostics = tuple(replace(d, span=move(d.span), caret=move(d.caret), origin=path,
                                message=lines_in_file(d.message), note=lines_in_file(d.note) if d.note else d.note,
                                labels=tuple(replace(lb, span=place) for lb in d.labels
                                             if (place := move(lb.span)) is not None),
                                help=None) for d in result.diagnostics)
    diagnostics = one_per_mistake(diagnostics, g.leaf)
    steps = []
    for s in result.steps:
        where = text.locate(s.line, s.col)
        steps.append(replace(s, line=where[0], col=where[1]) if where else s)
    moved = replace(result, source=source, origin=path, diagnostics=diagnostics, steps=tuple(steps))
    last = text.locate(len(text.origins), 0)
    return Judged(g.key, g.leaf, moved, last[0] if last else None, diagnostics)
