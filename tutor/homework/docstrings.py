"""Shapes as the courses' docstrings state them.

    - X: Input data of shape (N, D). Each X[i] is a training sample.          (CS231n)
    - y: Vector of training labels ... 0 <= y[i] < C.
    X -- input data of size (n_x, m)                                           (deeplearning.ai)
    Y -- "true" labels vector of shape (1, number of examples)
    X: (n_x, m), Y: (1, m), W1: (n_h, n_x)                                      (a student's own)
    # X is (N, D), y is (N,), w is (D,), b is a scalar                          (a comment, the same)
    :param A: Input to the linear layer with shape (N, C0)                     (CMU 11-785, Sphinx's fields)
"""
from __future__ import annotations

import ast
import functools
import io
import re
import tokenize
from dataclasses import dataclass

ENTRY = re.compile(r"^\s*(?:[-*]|:param)?\s*([A-Za-z_]\w*)\s*(?:\([^()]*\))?\s*(?::|--|-|\s(?:is|has))\s+(.*)$")  # `X (np.ndarray): ...` too
SHAPE = re.compile(r"(?:shape|size|dimensions?)\s*(?:of\s*)?[:=]?\s*\(([^()]*)\)", re.IGNORECASE)
MATRIX = re.compile(r"\b([A-Za-z_]\w*)\s*(?:x|×|\*)\s*([A-Za-z_]\w*)\s+(?:matrix|array)", re.IGNORECASE)
SCALAR = re.compile(r"^\W*(?:\w+\W+){0,3}?an? (?:real |float(?:ing point)? )?(?:scalar|number|float)\b(?! or\b)", re.IGNORECASE)
#: A shape written straight after the name: `X: (n_x, m)`, `W1 -- (n_h, n_x)`, `b: (H,)`; a comma inside,
#: and no type's name, tell it from a type in brackets (CS231n's `reg: (float) regularization strength`).
BARE = re.compile(r"^\(([^()]*,[^()]*)\)\s*(?:$|[,;.]|\s)")
TYPES = {"float", "int", "str", "bool", "optional", "list", "tuple", "dict", "array", "ndarray", "default"}
#: Where a line that states several names' shapes splits: before each `NAME: (` after the first.
SEVERAL = re.compile(r"[,;]\s*(?=[A-Za-z_]\w*\s*(?::|--)\s*\(|[A-Za-z_]\w*\s+(?:is|has)\s)")
#: A labels' bound: `0 <= y[i] < C`, `less than C`, `in [0, C)`, `in range(C)`, `in {0, ..., C-1}`, `0..C-1`.
BOUND = re.compile(r"(?:<|less than)\s*([A-Za-z_]\w*)|\[\s*0\s*,\s*([A-Za-z_]\w*)\s*\)|range\(\s*([A-Za-z_]\w*)\s*\)"
                   r"|\b0\s*(?:,\s*(?:1\s*,\s*)?(?:\.\.\.|…)\s*,|\.\.\.?|…|to)\s*([A-Za-z_]\w*)\s*-\s*1\b")
#: One index, an integer (`integer, the index of the outside word`): a scalar label.
INDEX = re.compile(r"\s*(?:an?\s+)?(?:int|integer)\b.*\bindex\b|.*\bthe index of\b", re.IGNORECASE)
#: The words the courses use for a size, and the symbol each is.
WORDS = {"number of examples": "m", "input size": "n_x", "output size": "n_y", "size of output layer": "n_y",
         "size of the output layer": "n_y", "batch size": "N", "number of classes": "C", "1": "1"}

ARTICLES = {"the", "a", "an"}


@dataclass(frozen=True)
class Stated:
    """What a docstring says of an argument: its axes (symbols or integers), labels, and their bound."""

    shape: tuple | None
    labels: bool = False
    bound: str | None = None
    onehot: bool = False
    weak: bool = False       # labels only because they are "a vector of labels": 0/1 targets unless they index


def stated_shapes(*nodes: ast.FunctionDef | ast.ClassDef | None, source: str | None = None) -> dict[str, Stated]:
    """Every `NAME: ... shape (a, b)` in the docstrings of these functions or classes, and in the comments
    of `source` inside them or just above them (the first wins)."""
    out: dict[str, Stated] = {}
    for node in nodes:
        doc = ast.get_docstring(node) if node is not None else None
        doc = "\n".join(filter(None, [doc, *comments_around(node, source)]))
        if not doc:
            continue
        entries: list[tuple[str, str]] = []
        open_entry = False
        for line in (part for whole in doc.splitlines() for part in SEVERAL.split(whole)):
            m = ENTRY.match(line)
            if m:
                entries.append((m.group(1), m.group(2)))
                open_entry = True
            elif open_entry and line.strip() and not line.strip().endswith(":"):
                entries[-1] = (entries[-1][0], entries[-1][1] + " " + line.strip())
            else:
                open_entry = False
        for name, text in entries:
            if name in out:
                continue
            labels = bool(re.search(r"\blabels?\b", text, re.IGNORECASE)) and bool(
                re.search(r"integer|range|<|class", text, re.IGNORECASE))
            bound = BOUND.search(text)
            shape = SHAPE.search(text)
            bare = BARE.match(text) if shape is None else None
            if bare and TYPES & {w.strip().lower() for w in re.split(r"[,.\s]+", bare.group(1))}:
                bare = None
            said = shape or bare
            axes = parse_axes(said.group(1)) if said is not None else None
            matrix = MATRIX.search(text)
            if axes is None and matrix:
                axes = (matrix.group(1), matrix.group(2))
            if axes is None and SCALAR.search(text):
                axes = ()  # "b -- bias, a scalar"
            if axes is None and INDEX.match(text):
                axes, labels = (), True  # CS224n's "outsideWordIdx -- integer, the index of the outside word"
            onehot = bool(re.search(r"one[- ]hot", text, re.IGNORECASE))
            weak = False
            if re.search(r"\blabels?\b", text, re.IGNORECASE) and axes is not None and len(axes) == 1 and not labels:
                labels = weak = True  # a vector of labels, one per example: class indices, if the file picks with them
            if axes is None and not labels:
                continue
            bounded = next((g for g in bound.groups() if g), None) if bound else None
            out[name] = Stated(axes, labels and not onehot, bounded if labels else None, onehot, weak)
    return out


def parse_axes(text: str) -> tuple | None:
    if "," not in text and re.fullmatch(r"\s*\w+(\s*[x×]\s*\w+)+\s*", text):
        text = re.sub(r"\s*[x×]\s*", ",", text.strip())  # "shape (m x n)"
    parts = [p.strip().strip("'\"") for p in text.split(",")]
    if parts and parts[-1] == "":
        parts = parts[:-1]
    if not parts or any("..." in p or p == "" for p in parts):
        return None
    axes: list[int | str] = []
    for p in parts:
        if p.isdigit():
            axes.append(int(p))
        elif re.fullmatch(r"[A-Za-z_]\w*", p):
            axes.append(p)
        elif re.fullmatch(r"[A-Za-z_]\w*(\s*\*\s*[A-Za-z_]\w*)+", p):
            return None
        elif p.lower() in WORDS:
            axes.append(WORDS[p.lower()])
        else:
            words = re.sub(r"[^a-z ]", "", p.lower()).strip()
            # "size of current layer" and "size of the current layer" (one docstring, two lines) are one size
            named = [w for w in words.split() if w not in ARTICLES]
            axes.append(WORDS.get(words, WORDS.get(" ".join(named), "_".join(named[:3]) or "n")))
    return tuple(axes)


def comments_around(node: ast.AST | None, source: str | None) -> list[str]:
    """The comments inside a function or class, and the block of comments just above it."""
    if node is None or source is None:
        return []
    comments = comments_of(source)
    first, last = getattr(node, "lineno", 0), getattr(node, "end_lineno", 0) or 0
    above = first - 1 - len(getattr(node, "decorator_list", ()))
    while above in comments:
        above -= 1
    return [comments[n] for n in range(above + 1, last + 1) if n in comments]


@functools.lru_cache(maxsize=8)
def comments_of(source: str) -> dict[int, str]:
    """Each comment's text by its line (`# X is (N, D)`), found by Python's tokenizer: nothing is run."""
    out: dict[int, str] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                out[token.start[0]] = token.string.lstrip("#").strip()
    except (tokenize.TokenError, SyntaxError):
        pass  # the file was parsed already: what the tokenizer read by then is kept
    return out
