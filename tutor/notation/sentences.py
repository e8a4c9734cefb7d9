"""Equations typed inside sentences: where a post without MathJax says its network and its answer.

Learners type mathematics into prose: "My backward: dW1 = X^T (…) where * is elementwise. Correct?",
"I wrote ∂L/∂W₁ = xᵀ · (…) but numpy says…", "Column vectors: z₁ = W₁x + b₁, h = tanh(z₁), …",
"either dJ/dW1 = x' * delta1 or dJ/dW1 = delta1 * x'?". Each equation is cut out of its sentence: a
label before a colon is left out, a list of definitions separated by commas is split, and a value ends
where the words begin again.
"""
from __future__ import annotations

import re

#: Characters of typed mathematics (Unicode included); a sentence has others.
MATH_CHARS = re.compile(r"[\w\s'^*∗⋅∙+\-/()\[\]{}=.,|·×∘⊙ᵀ−ŷδσ∂∑Σ∇∈ℝ₀-₉ⁱ⁰-⁹@<>]+")
#: A label that leads a line of mathematics: "My backward:", "Network (row vectors):", "Forward pass:".
LABEL = re.compile(r"^\s*[A-Za-z][\w ()'\-]{0,40}:\s+(?=\S)")
#: Words that are mathematics, never the start of prose, in a typed value.
MATH_WORDS = {"sigmoid", "softmax", "tanh", "relu", "log", "exp", "sum", "diag", "mean", "sqrt", "max", "min",
              "yhat", "delta", "grad", "dot", "np", "ce", "mse", "abs", "outer", "transpose", "sigma", "ln"}
#: Words that end a value typed in a sentence ("… or …", "… where * is …", "… but numpy says").
STOP = {"or", "and", "but", "where", "which", "with", "is", "are", "if", "so", "then", "than", "for", "as", "in",
        "to", "of", "the", "that", "this", "it", "i", "we", "you", "my", "right", "correct", "wrong", "instead"}
#: The left side of an equation that is a derivation: ∂L/∂W₁, dJ/dW1, dW1, δ₁, delta1, ∇_{W₂} J, grad_W1.
DERIVATIVE = re.compile(
    r"(?:∂\s*\S+?\s*/\s*∂\s*[^\s=]+|\bd[A-Za-z]\w*\s*/\s*d[A-Za-z][^\s=]*|∇\S*(?:\s+[A-Za-z]\w*(?=\s*=))?"
    r"|(?<![\w\\])(?:δ|delta|Delta)[^\s=]*|\bd[A-Za-z]\w*(?:\[\d+\]|\^?\[\d+\])?|\bgrad_\w+)\s*=(?!=)")
WORD = re.compile(r"[A-Za-z]+")
#: Words that introduce the asker's own equation in a sentence ("I wrote ∂L/∂W₁ = …", "either dW1 = …");
#: after any other word of prose, an equation is part of what the sentence says about something else.
SAYING = {"wrote", "write", "writing", "have", "derived", "derive", "computed", "compute", "obtained", "obtain",
          "tried", "either", "think", "believe", "found", "calculated", "calculate", "says", "said", "getting",
          "backward", "answer", "then", "thus", "hence", "therefore", "also", "that", "whether", "whereas"}
#: The end of a sentence: a full stop, ? or ! before a space (never the point of 0.5).
SENTENCE_END = re.compile(r"(?<=[.?!])\s+")
#: Words that lead a list of definitions: "With z1 = …", "Let h = …", "and L = …".
LEAD = re.compile(r"^(?:(?:with|let|where|given|suppose|here|and|so|then|now|we have|i have)\b[\s,:]*)+", re.I)


def prose_equations(line: str, whole) -> list[str]:
    """The equations typed in one line of prose. `whole(text)` says whether a text is a line of
    typed mathematics as it stands (post.typed_math)."""
    line = line.strip()
    if "=" not in line:
        return []
    pieces = [p for p in ABBREVIATION.split(line) if p.strip()]
    if ABBREVIATION.search(line) is not None:   # "dW = dZ / x, i.e. dW = dZ * x.T": what comes after says something of its own
        return [e for piece in pieces for e in prose_equations(piece.strip().rstrip(",;"), whole)]
    if whole(line):
        parts = [LEAD.sub("", part) for part in split_list(line)]
        return [p for p in parts if is_equation(p) or p.lstrip().startswith("=")]
    out: list[str] = []
    for sentence in SENTENCE_END.split(line):
        if "=" not in sentence:
            continue
        text = LEAD.sub("", LABEL.sub("", sentence.strip(), count=1)).rstrip(".,;:?! ")
        parts = [LEAD.sub("", p) for p in split_list(text)]
        if parts and all(whole(p) and is_equation(p) for p in parts):
            out.extend(parts)
        else:
            out.extend(embedded(sentence))
    return out


def is_equation(text: str) -> bool:
    """An equation a sentence may hold: one name (or a derivative) on the left, something other than a
    number on the right ("I set lr = 0.01" is a remark about training, not the network)."""
    left, _, right = text.partition("=")
    return (len(left.split()) == 1 or DERIVATIVE.match(text) is not None) and \
        re.fullmatch(r"[\s\d.eE+\-]*", right) is None


def split_list(text: str) -> list[str]:
    """`z₁ = W₁x + b₁, h = tanh(z₁), ŷ = softmax(z₂)` → one equation each; a comma inside brackets or
    one that does not begin another equation (`CE(y, ŷ)`, `W1, W2 ∈ …`) stays."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch in "([{" and 1 or ch in ")]}" and -1 or 0
        if ch in ",;" and depth == 0 and "=" in text[start:i] and re.match(r"\s*[^=,;]{1,30}=(?!=)", text[i + 1:]):
            parts.append(text[start:i])
            start = i + 1
        elif depth == 0 and text.startswith(" and ", i) and "=" in text[start:i] \
                and re.match(r"\s*[^=,;]{1,30}=(?!=)", text[i + 5:]):
            parts.append(text[start:i])
            start = i + 5
    parts.append(text[start:])
    return [p.strip().rstrip(".,;") for p in parts if p.strip()]


def embedded(line: str) -> list[str]:
    """Equations whose left side is a derivative, cut out of a sentence: the value runs until words
    begin again (a stop word, two words of prose in a row, or the end of the sentence)."""
    out: list[tuple[str, int]] = []
    for m in DERIVATIVE.finditer(line):
        if out and m.start() < out[-1][1]:
            continue
        before = re.search(r"([A-Za-z]+)[\s,]*$", line[:m.start()])
        asking = before is not None and not line[:before.start()].strip()   # "Is ∂J/∂W1 = … right?": a question
        if before is not None and (len(before.group(1)) >= 4 and before.group(1).lower() not in SAYING
                                   or before.group(1).lower() in ("is", "are") and not asking):
            continue   # "Contracting δ1 = … with it gives", "the derivative of w / Z is dz = dWx": prose about it
        end = value_end(line, m.end())
        value = line[m.end():end].strip().rstrip(".,;:")
        if value and MATH_CHARS.fullmatch(value) and any(c.isalnum() for c in value):
            out.append((line[m.start():m.end()] + " " + value, end))
    return [text for text, _ in out]


#: Abbreviations that begin what a sentence says next ("dW = dZ / x, i.e. dW = dZ * x.T"), never mathematics.
ABBREVIATION = re.compile(r"(?<![\w.])(?:i\.?\s?e|e\.?\s?g|viz|aka|cf)\b\.?", re.I)


def value_end(line: str, start: int) -> int:
    """Where a value typed in a sentence ends."""
    ends = [at for stop in ("?", ". ", "! ") if (at := line.find(stop, start)) >= 0] + [len(line)]
    return min([words_end(line, start), *ends])


def words_end(line: str, start: int) -> int:
    """Where the words begin again after `start`."""
    for m in WORD.finditer(line, start):
        word = m.group().lower()
        if word in MATH_WORDS:
            continue
        before = line[max(start, m.start() - 1):m.start()]
        glued = before and (before.isalnum() or before in "_^\\")   # W2 in W2', Theta in Theta2: a name
        after = line[m.end():m.end() + 1]
        if glued or after.isdigit() or after in ("_", "(", "'", "^", "ᵀ") or len(word) == 1 and word not in STOP:
            continue
        if word in STOP or len(word) >= 3 and next_is_word(line, m.end()):
            return m.start()
    return len(line)


def next_is_word(line: str, at: int) -> bool:
    nxt = re.match(r"\s+([A-Za-z]{2,})\b", line[at:])
    return nxt is not None and nxt.group(1).lower() not in MATH_WORDS
