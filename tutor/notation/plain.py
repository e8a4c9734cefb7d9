"""Mathematics typed as plain text (a chat, a forum without MathJax, an email, a notebook cell).

Three things LaTeX says with markup that plain text says with words or layout: which block of a post
is mathematics rather than code, the shapes (`W1 ∈ R^{Dx×H}`, `b1 in R^H`, `W1: Dx×H`, `W1 is Dx x H`),
and the remarks beside a value (`(1×Dy)`, `(elementwise)`). Each is turned into what the LaTeX reader
already understands: declarations become `W1 \\in \\mathbb{R}^{Dx \\times H}`, remarks are taken off.
"""
from __future__ import annotations

import re

from .marks import MATH_MARKS, looks_like_math

#: Fence labels that say what a block is.
CODE_LABELS = {"python", "py", "python3", "numpy", "ipython", "pycon", "bash", "sh", "console", "shell"}
MATH_LABELS = {"math", "latex", "tex", "text", "txt", "plain", "plaintext", "unicode"}

#: A line of mathematics: a Unicode mark, a transpose typed `W^T`, a derivative `dJ/dW`, or an equation whose
#: right side puts factors side by side (`h W2 + b2`), which Python never does.
SIDE_BY_SIDE = re.compile(r"=[^=\n]*\b[A-Za-z]\w*(?:\^?\[\d+\])?[ \t]+[A-Za-z(]")
CARET = re.compile(r"\w\s*\^")
PYTHON_WORDS = re.compile(r"^\s*(?:def|class|import|from|return|for|while|if|elif|else|try|except|with|print)\b"
                          r"|\bnp\.|\bself\.|\bTraceback\b|^\s*>>>")


def is_math_block(content: str, label: str = "") -> bool:
    """Whether an indented or fenced block holds mathematics rather than code. A label decides when there is
    one; otherwise what parses as Python stays code, and a block that does not is mathematics when most of
    its lines read as mathematics and none reads as Python."""
    from ..engine.language.ir import parse_python
    label = label.strip().split()[0].lower() if label.strip() else ""
    if label in CODE_LABELS:
        return False
    if label in MATH_LABELS:
        return True
    try:
        parse_python(content)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    else:   # Python stays code, unless it is mathematics that happens to parse (`W^T`, `ŷ`)
        return looks_like_math(content)
    lines = [line for line in content.splitlines() if line.strip()]
    if not lines or any(PYTHON_WORDS.search(line) for line in lines):
        return False
    mathy = sum(bool(MATH_MARKS.search(line) or CARET.search(line) or SIDE_BY_SIDE.search(line)
                     or declares(line)) for line in lines)
    return mathy * 2 >= len(lines)


#: A remark at the end of a line: `(1×Dy)`, `(Dy x H)`, `(elementwise)`, `# a row`.
SHAPE_REMARK = re.compile(r"\s*[(\[]\s*\w+(?:\s*(?:×|\*|\bx\b|\bby\b)\s*\w+)+\s*[)\]]\s*$")
TYPED_SHAPE = re.compile(r"\s*[(\[]\s*\d+x\w+\s*[)\]]\s*$")
WORD_REMARK = re.compile(r"\s*\(\s*(?P<words>[A-Za-z][A-Za-z\- ,.]*)\)\s*$")
COMMENT = re.compile(r"\s+(?:#|//|--)\s.*$")


def without_remarks(line: str) -> str:
    """A line of plain mathematics with the remarks at its end taken off (the value stays)."""
    line = COMMENT.sub("", line.rstrip())
    while True:
        before = line
        if "=" in line:
            value = line.split("=")[-1]
            for pattern in (SHAPE_REMARK, TYPED_SHAPE):
                m = pattern.search(value)
                if m and value[:m.start()].strip():
                    line = line[:len(line) - len(value) + m.start()]
            m = WORD_REMARK.search(line)
            if m and is_remark(m.group("words")) and line[:m.start()].split("=")[-1].strip():
                line = line[:m.start()]
        if line == before:
            return line.rstrip().rstrip(",;.")


def is_remark(words: str) -> bool:
    """`elementwise`, `row vector`, `by the chain rule`: words, not names of the network (`y, yhat`)."""
    from .symbols import FUNCTIONS
    return any(len(word) >= 5 and word.islower() and word not in FUNCTIONS and not word.endswith("hat")
               for word in re.findall(r"[A-Za-z]+", words))


def math_lines(content: str) -> str:
    """A block of plain mathematics, each line without its remarks, and its declarations written as LaTeX."""
    out = []
    for line in content.splitlines():
        said = declarations(line)
        out.extend(said) if said else out.append(without_remarks(line))
    return "\n".join(out)


# -- declarations --------------------------------------------------------------------------------------
#: A layer written after a name, as deeplearning.ai types it: W[1], n^[1], n^{[1]}.
LAYER = r"(?:\^?\[\d+\]|\^\{\[\d+\]\})"
NAME = rf"[A-Za-z\u0370-\u03ffŷŶ][A-Za-z0-9₀-₉ₓ]*(?:_\{{?[A-Za-z0-9]+\}}?|{LAYER})?"
#: A list of at most 30 names, taken whole: DECLARATION and IS match a list with or without what declares it
#: (a list that declares nothing is passed over), so a line of thousands of "a, a, a" is read once, not once
#: from each of its names.
NAMES = rf"(?P<names>{NAME}(?:\s*(?:,|\band\b)\s*{NAME}){{0,29}}+)"
DIMS_BRACED = r"\{[^{}]*\}|\([^()]*\)|\[[^\[\]]*\]|[A-Za-z0-9_]+"
SPACE = rf"(?:∈|\\in\b|\bin\b)\s*(?:ℝ|\\mathbb\{{R\}}|\\R\b|\bR\b|\\?\{{\s*0\s*,\s*1\s*\\?\}})\s*\^\s*(?P<dims>{DIMS_BRACED})"
DECLARATION = re.compile(rf"(?<![\w\\]){NAMES}(?:(?:\s+(?:is|are|lies|lie))?\s*{SPACE})?")
DIM = rf"[A-Za-z0-9]+(?:_\{{?[A-Za-z0-9]+\}}?|{LAYER})?"
SEPARATOR = r"\s*(?:×|\\times|\*)\s*|\s+x\s+|(?<=\d)x(?=[A-Za-z0-9])|\s+by\s+"
DIMS_TYPED = rf"(?P<dims>{DIM}(?:(?:{SEPARATOR}){DIM})+)"
COLON = re.compile(rf"^\s*{NAMES}\s*:\s*[(\[]?\s*{DIMS_TYPED}\s*[)\]]?\s*[,;.]?\s*$")
#: Words that may stand between "is" and the shape: "one-hot", "a real", "a row vector", "a matrix of size".
ADJECTIVES = r"(?:(?:an?|the)\s+)?(?:(?!(?:is|are|and|or|but|where|with|has|of|by|x)\b)[a-z][a-z-]*,?\s+){0,3}?" \
    r"(?:of\s+(?:shape|size|dimensions?)\s+)?"
IS = re.compile(rf"(?<![\w\\]){NAMES}(?:\s+(?:is|are)\s+{ADJECTIVES}[(\[]?\s*{DIMS_TYPED}\s*[)\]]?"
                r"(?:\s+(?:matrix|matrices|vectors?|rows?|columns?|arrays?))?(?![\w×]))?")


def declares(line: str) -> bool:
    """Whether a line declares a space for names (`W1, W2 ∈ R^{H×H}`)."""
    return any(m.group("dims") is not None for m in DECLARATION.finditer(line))


#: `dim(A_0) = n * m`, `\\dim(Z_1) = (n_1, m)`, `shape(X) = N x D`, `X.shape = (N, D)`: a shape said as a
#: function of the array, as posts and NumPy say it.
SIZE_OF = re.compile(rf"(?<![\w\\])(?:\\?(?:dim|shape|size)|\\(?:text|mathrm|operatorname)\{{(?:dim|shape|size)\}})\s*"
                     rf"\(\s*(?P<names>{NAME})\s*\)\s*=\s*(?P<dims>\([^()]*\)|\[[^\[\]]*\]|{DIM}(?:(?:{SEPARATOR}){DIM})+)")
SHAPE_ATTRIBUTE = re.compile(rf"(?<![\w\\])(?P<names>{NAME})\.shape\s*==?\s*(?P<dims>\([^()]*\)|\[[^\[\]]*\])")


def size_statement(math: str) -> str | None:
    """A piece of mathematics that only says an array's shape (`dim(A_0) = n * m`), as the declaration the
    reader knows; None for anything else."""
    for pattern in (SIZE_OF, SHAPE_ATTRIBUTE):
        m = pattern.fullmatch(math.strip().rstrip(".,;"))
        if m is not None:
            said = declarations(m.group())
            return said[0] if said else None
    return None


def declarations(line: str) -> list[str]:
    """The shapes a line of plain text declares, each as a LaTeX declaration the reader knows:
    `W1, W2 ∈ R^{H×H}` → [`W1, W2 \\in \\mathbb{R}^{H \\times H}`]; `W1: Dx x H`; `x is 1×Dx`."""
    out = []
    for pattern in (DECLARATION, COLON, IS, SIZE_OF, SHAPE_ATTRIBUTE):
        for m in pattern.finditer(line):
            if m.group("dims") is None:
                continue
            dims = split_dims(m.group("dims"))
            names = [n.strip() for n in re.split(r",|\band\b", m.group("names")) if n.strip()]
            if not dims or not names or not all(plain_dim(d) for d in dims):
                continue
            if pattern is not DECLARATION and any(len(n) > 3 and not re.search(r"[\d_]", n) for n in names):
                continue   # "Shape: 1×H", "answer is 1×H": a word, not a name
            out.append(", ".join(names) + r" \in \mathbb{R}^{" + r" \times ".join(dims) + "}")
    return out


def split_dims(text: str) -> list[str]:
    text = text.strip()
    if text[:1] in "{([" and text[-1:] in "})]":
        text = text[1:-1]
    from .symbols import SUBSCRIPTS
    text = "".join(SUBSCRIPTS.get(c, c) for c in text)   # Dₓ is Dx
    return [re.sub(r"[{}_\[\]^]", "", d).strip() for d in re.split(SEPARATOR + r"|\s*,\s*", text.strip()) if d.strip()]


def plain_dim(text: str) -> bool:
    return bool(re.fullmatch(r"\d+|[A-Za-z][A-Za-z0-9]*", text))


# -- conventions -------------------------------------------------------------------------------------------
ROWS = re.compile(r"\brow[- ]?vectors?\b|\brow[- ](?:vector )?convention|\bas rows\b|\bvectors? (?:are|as) rows\b",
                  re.I)
COLUMNS = re.compile(r"\bcolumn[- ]?vectors?\b|\bcolumn[- ](?:vector )?convention|\bas columns\b"
                     r"|\bvectors? (?:are|as) columns\b", re.I)


def convention(prose: list[str]) -> str | None:
    """`rows` or `columns`, whichever the post says first ("row-vector convention", "x is a column vector")."""
    text = "\n".join(prose)
    rows, columns = ROWS.search(text), COLUMNS.search(text)
    if rows and (not columns or rows.start() < columns.start()):
        return "rows"
    return "columns" if columns else None


# -- x typed for × ----------------------------------------------------------------------------------------
#: ` x ` between two operands of typed mathematics: `W3 x ψ(W2 x I)`.
TIMES_X = re.compile(r"(?<=[\w)\]]) x (?=[\w(ψφσ])")
NEIGHBOURS = re.compile(r"(?P<left>(?<!\w)[A-Za-z]\w*|[)\]]) x (?P<right>[A-Za-z]\w*|[ψφσ(])")  # a whole word: linear


def x_as_times(math: list[str], stated: set[str]) -> list[str]:
    """Typed mathematics that writes `x` for × (`y = ψ(W3 x ψ(W2 x ψ(W1 x I)))`, with the shapes of W1, W2, W3
    and I said and none said of x): there x is the product sign. Only where x is neither given a shape nor
    defined, and every name it stands between has its shape said; anywhere else x is a name."""
    if "x" in stated or any(re.match(r"\s*x\s*(?:=|\\in|∈)", m) for m in math):
        return math
    out = []
    for piece in math:
        pairs = list(NEIGHBOURS.finditer(piece))
        if "\\" not in piece and pairs and all(
                side in stated or side in "ψφσ" or not side[0].isalpha() or side.lower() in FUNCTION_WORDS
                for m in pairs for side in (m.group("left"), m.group("right"))):
            piece = TIMES_X.sub(" × ", piece)
        out.append(piece)
    return out


FUNCTION_WORDS = {"sigmoid", "tanh", "relu", "softmax", "exp", "log"}

