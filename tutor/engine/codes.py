"""Every diagnostic code the tool emits, each one registered object: the one table behind
`shapetutor explain CODE`, the docs' table of codes and the front's choice of how to show one.

A code is stable (graders and editors key on it): its severity, a title, the longer explanation
and an example, and a display hint that tells the front how to show a diagnostic that carries it.
The engine's own input errors (E1xx, E2xx, E3xx) take their codes from here as the judge's do;
an emit site names a code by its object (`E201.code`, `N214.at(...)`), never by a new string.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal

from .diagnostics import Diagnostic, Span

Severity = Literal["error", "warning", "note"]


class Display(Enum):
    """How the front shows a diagnostic that carries the code."""

    #: `error[E201]: …`
    CODED = "coded"
    #: `error: …`: the code stands for no particular kind of problem
    PLAIN = "plain"
    #: a note on a claimed step that holds something else on purpose: the step is listed as made
    #: good later, not as wrong
    MADE_GOOD = "made-good"


@dataclass(frozen=True)
class Code:
    """One diagnostic code: what `explain` prints, and how the front shows a diagnostic with it."""

    code: str
    severity: Severity
    title: str
    explanation: str
    example: str
    display: Display = Display.CODED

    def at(self, message: str, span: Span | None = None, caret: Span | None = None, **fields: Any) -> Diagnostic:
        """A diagnostic with this code (and its severity) at `span`; other fields as `Diagnostic` has them."""
        return Diagnostic(self.code, self.severity, message, span, caret, **fields)


#: Every code, in the order the docs list them.
CODES: dict[str, Code] = {}


def register(code: str, severity: Severity, title: str, explanation: str, example: str = "",
             display: Display = Display.CODED) -> Code:
    if code in CODES:
        raise ValueError(f"diagnostic code {code} is registered twice")
    CODES[code] = Code(code, severity, title, explanation.strip(), example.strip(), display)
    return CODES[code]


def lookup(code: str) -> Code | None:
    """The registered code, whatever its case (`e201` is E201)."""
    return CODES.get(code.strip().upper())


E000 = register("E000", "error", "input that cannot be used", """
The input cannot be used, for a reason that has no code of its own: a file that is missing or is
not UTF-8 text, dimensions too large to compute with, a network whose own values are not finite.
The message says what was wrong and, where it can, what would have been accepted. The terminal shows
it as a plain `error:`.""", """
    $ shapetutor shapes missing.net
    error: cannot read network missing.net: No such file or directory""", display=Display.PLAIN)
E100 = register("E100", "error", "the text cannot be read as the network language", """
Networks and derivations are Python syntax, read with `ast` and never run. Anything outside the
language (a statement that is not a declaration or an assignment, an unknown attribute, a lambda, a
string where a number belongs, the printed math form such as xᵀ or ŷ) is refused with its position
and what would have been accepted.""", """
    wrong:  dW1 = xᵀ @ dz1
    right:  dW1 = x.T @ dz1""")
E101 = register("E101", "error", "an unknown name", """
A name must be a leaf, a definition of the network, a dimension symbol, a step defined on an earlier
line of the derivation, or a function of the language. Names are case-sensitive, and a step must be
defined before a later line uses it.""", """
    wrong:  dW1 = X.T @ dz1      # the network calls it x
    right:  dW1 = x.T @ dz1""")
E201 = register("E201", "error", "matrix product with non-matching inner dimensions", """
`A @ B` needs the last axis of A to have the same length as the first axis of B (for 2-D
operands). shapetutor compares dimensions symbolically: H and Dy never match, even when you bound
them to the same number, because the formula would then only run by coincidence.

The classic case is chaining the factors of ∂J/∂W1 as if they were all matrices. The last factor,
∂z1/∂W1, is not a matrix: it is a 1×H×Dx×H tensor with entries ∂z1[k]/∂W1[i,j] = x[i]·[k = j].
Contracting the 1×H row δ1 with it over k gives ∂J/∂W1[i,j] = x[i]·δ1[j]: the outer product xᵀ δ1,
with x on the left and transposed.""", """
    wrong:  (yhat - y) @ W2.T * h * (1 - h) @ x      # (1×H) @ (1×Dx) does not conform
    right:  x.T @ ((yhat - y) @ W2.T * h * (1 - h))  # (Dx×1)(1×H) = Dx×H""")
E202 = register("E202", "error", "elementwise operation on shapes that do not broadcast", """
`+ - * /` and the elementwise functions follow NumPy broadcasting: shapes are aligned on the right,
and each pair of dimensions must be equal, or one of them a literal 1. Distinct symbols never
broadcast against each other.""", """
    wrong:  dh * z2          # 1×H with 1×Dy
    right:  dh * h * (1 - h)""")
E203 = register("E203", "error", "an axis or argument out of range", """
A reduction, softmax or index names an axis or an index that the array does not have.""", """
    wrong:  sum(dz1, axis=2)   # dz1 has two axes, 0 and 1
    right:  sum(dz1, axis=0)""")
E204 = register("E204", "error", "the loss is not a scalar", """
The last definition of a network is its loss, and a loss is one number: every gradient ∂J/∂W has
W's own shape only because J is a scalar. Sum or average the per-example losses into one.""", """
    wrong:  J = (yhat - y) ** 2          # 1×Dy: one loss per output
    right:  J = sum((yhat - y) ** 2)""")
E205 = register("E205", "error", "an index that is not an array of integers", """
An index array picks entries by position, so it holds integers: class labels (`y: int[N] < K`) or
`range(N)`. A boolean mask picks a number of entries that depends on the values, so its shape is
not known in advance; write the masking as a product with the mask instead.""", """
    wrong:  P[y_float]             # y declared as floats
    right:  P[range(N), y]         # y: int[N] < K""")
E210 = register("E210", "error", "the answer has the wrong shape", """
Every operation conforms, but the result is not shaped like the leaf. A gradient ∂J/∂W is written
in the denominator layout: it has W's own shape, so that `W -= lr * dW` works.

Most often the chain has stopped early: the answer is the gradient of a node on the way, such as
δ1 = ∂J/∂z1 (1×H), and the factors between that node and the leaf are still missing. The last one,
∂z1/∂W1, is not a matrix but a 1×H×Dx×H tensor with entries ∂z1[k]/∂W1[i,j] = x[i]·[k = j];
contracting δ1 with it over k gives ∂J/∂W1[i,j] = x[i]·δ1[j], the outer product xᵀδ1, with
shapes (Dx×1)(1×H) = Dx×H. A bias gradient, likewise, is summed over the axis along which the bias
was broadcast (the examples).""", """
    wrong:  (yhat - y) @ W2.T * h * (1 - h)          # δ1 = ∂J/∂z1, 1×H: one factor short
    right:  x.T @ ((yhat - y) @ W2.T * h * (1 - h))  # xᵀδ1: (Dx×1)(1×H) = Dx×H
    wrong:  dz1                                      # 1×H, but b1 has shape H
    right:  sum(dz1, axis=0)                         # H, and still right for a batch""")
E211 = register("E211", "error", "the answer is the transpose of the gradient", """
Your result, transposed, is the gradient. This usually comes from writing the chain in numerator
layout (a Jacobian, shaped output × input) and reporting it as a gradient (shaped like the
parameter), or from multiplying the factors in the order of the column convention.""", """
    wrong:  dz1.T @ x        # H×Dx
    right:  x.T @ dz1        # Dx×H""")
E212 = register("E212", "error", "the answer is a constant multiple of the gradient", """
The values are the gradient times a constant, named by its symbols. A factor N, or N·Dy for a mean
over two axes, means the mean's 1/N (or 1/(N·Dy)) is missing; 1/N means it is applied twice (it
belongs exactly once, where the loss divides by N); −1 means a flipped sign (∂J/∂z2 is ŷ − y, not
y − ŷ); 2 or 1/2 usually comes from a square's derivative. shapetutor finds the symbols by
evaluating your derivation again with other dimensions, so N and Dy are told apart even when they
are equal.""", """
    wrong:  X.T @ dZ1 / N    # when dZ1 already holds (Yhat - Y) / N: a 1/N too many
    right:  X.T @ dZ1""")
E213 = register("E213", "error", "the answer has the right shape but the wrong values", """
The shapes work out, but the numbers differ from the true gradient (checked in float64 on several
random draws, to one part in a billion). shapetutor names the classic mistake when it recognises
it, with the right derivative: an activation's derivative missing (ReLU's mask, σ′, tanh′), one
activation's derivative used for another (the sigmoid's h ∘ (1 − h) for a tanh layer, whose
derivative is 1 − h²), the derivative taken at the input z instead of the output h, the softmax
Jacobian reduced to its diagonal; for a parameter used more than once (a weight and its penalty
½·reg·ΣW², a tied W and Wᵀ), the gradient through one use left out, or counted twice, half or with
the wrong sign.""", """
    wrong:  x.T @ ((yhat - y) @ W2.T)                 # h ∘ (1 − h) is missing
    right:  x.T @ ((yhat - y) @ W2.T * h * (1 - h))
    wrong:  A1 * (1 - A1)    # for A1 = tanh(…): the sigmoid's derivative
    right:  (1 - A1 ** 2)    # tanh′ = 1 − tanh²
    wrong:  X.T @ dhidden + 2 * reg * W    # for ½·reg·ΣW²: the penalty's term twice
    right:  X.T @ dhidden + reg * W""")
E214 = register("E214", "error", "a step that claims a gradient is wrong", """
A line `dNAME = …` claims to be ∂J/∂NAME and is checked on its own, shape and values. The first
wrong step is where the derivation went astray; everything after it inherits the mistake.""", """
    dz2 = yhat - y
    dh = dz2 @ W2           # wrong: dz2 @ W2.T
    dz1 = dh * h * (1 - h)""")
E215 = register("E215", "error", "a chain of ∂-factors that stops being a matrix product", """
A derivation written as a product of ∂-factors (∂J/∂z2 · ∂z2/∂h · ∂h/∂z1 · ∂z1/∂W1), or of expressions
standing for the first factors, is read as the naive chain: the factors multiplied as matrices. That
works while each factor is a matrix in disguise (its top and its bottom each have at most one axis
longer than 1). The factor ∂z1/∂W1 is not: it is a 1×H×Dx×H tensor, and no matrix product with it
gives the Dx×H gradient. Contracting δ1 with it over the axis of z1 does: xᵀ δ1.""", """
    wrong:  ∂J/∂W1 = (ŷ − y) · W2ᵀ ∘ h ∘ (1 − h) · ∂z1/∂W1
    right:  ∂J/∂W1 = xᵀ δ1, where δ1 = (ŷ − y) W2ᵀ ∘ h ∘ (1 − h)""")
E216 = register("E216", "error", "a chain of ∂-factors that does not lead from the loss to the leaf", """
In a chain of ∂-factors each factor's bottom must be the next factor's top, starting from the loss
and ending at the leaf whose gradient it claims: ∂J/∂z2 · ∂z2/∂h · ∂h/∂z1 · ∂z1/∂W1.""", """
    wrong:  ∂J/∂W1 = ∂J/∂z2 · ∂h/∂z1 · ∂z1/∂W1     # ∂z2/∂h is missing
    right:  ∂J/∂W1 = ∂J/∂z2 · ∂z2/∂h · ∂h/∂z1 · ∂z1/∂W1""")
E300 = register("E300", "error", "a bad dimension binding", """
Dimensions are bound as NAME=positive integer, separated by commas, and only symbols the network uses
can be bound. Sizes above 1,000,000 stay symbolic: shapetutor will not allocate arrays that large.""", """
    wrong:  --dims Dx=0,Q=3
    right:  --dims Dx=5,H=3,Dy=4""")
E400 = register("E400", "error", "a lesson file that cannot be used", """
A lesson is a TOML file (format_version = 1) with an id, a title, a summary, a [network] table and
[[steps]]. `shapetutor lesson validate FILE` lists every problem with its line; every answer comes
from the engine, so an author's `expect` must agree with it.""", """
    [[steps]]
    id = "w1-shape"
    kind = "ask-shape"
    node = "W1"          # no answer written: the engine computes it""")
N214 = register("N214", "note",
                "a step that claims a gradient holds something else, and a later line makes up for it", """
A line `dNAME = …` claims ∂J/∂NAME. When it holds something else but a later right line is built on
it, the answer is right and so is the verdict; the note says what the step holds. Courses do this on
purpose: deeplearning.ai writes the per-example dZ2 = A2 - Y (m·∂J/∂Z2) and puts the 1/m into dW2.""", """
    dZ2 = A2 - Y                       # m·∂J/∂Z2, the per-example gradient
    dW2 = (1 / m) * np.dot(dZ2, A1.T)  # the 1/m comes back here: dW2 is right""", display=Display.MADE_GOOD)
N215 = register("N215", "note", "a gradient changed in place: it now holds the gradient at an activation's input", """
Course code often passes a gradient back through an activation by changing it in place: CS231n masks
dhidden where the ReLU was off. Before that line the name holds ∂J/∂hidden, after it the gradient at
the ReLU's input, which has no name of its own in the network. Both are right; the note says what the
name holds from there on, since its name no longer does.""", """
    dhidden = dscores @ W2.T        # ∂J/∂hidden
    dhidden[hidden <= 0] = 0        # now ∂J/∂(X @ W1 + b1): through the ReLU
    dW1 = X.T @ dhidden""")
N216 = register("N216", "note", "a line outside the language that only packs gradients is set aside", """
A derivation may end by packing its gradients for an optimiser (CS224n concatenates them into one
vector). When such a line uses something outside the language, claims no gradient itself, and the
gradient asked for is claimed before it, it is set aside with this note instead of making the whole
derivation unusable. A later line that reads its name is still an error.""", """
    gradW1 = np.dot(data.T, dz)
    grad = np.concatenate((gradW1.flatten(), gradb1.flatten()))   # set aside: N216""")
W301 = register("W301", "warning", "conforms only because two dimensions have equal numbers", """
The operation would fail with general dimensions; it runs only because a literal size equals a
symbol's value at the numbers you chose. With other numbers the same formula breaks.""", """
    b: [3]  with  H = 3:   z @ W + b   conforms only while H = 3""")
W302 = register("W302", "warning", "broadcasting silently builds an outer product", """
An elementwise operation between a row (1×H) and a column (H×1), or a vector and a column, does
not fail in NumPy: broadcasting stretches both into an H×H matrix. That is almost never intended
inside a gradient. If an outer product is what you want, write it as a matrix product (x.T @ d)
so that it still works for a batch.""", """
    suspicious:  x.T * dz1    # (Dx×1)*(1×H) → Dx×H, but only for a single example
    clear:       x.T @ dz1""")
W303 = register("W303", "warning", ".T on a 1-D array does nothing", """
NumPy's `.T` reverses the axes; a 1-D array has one axis, so `.T` returns it unchanged. Use a 2-D
row (1×n) or column (n×1), or `outer(a, b)`, when orientation matters.""", """
    v.T @ w     # the same as v @ w when v is 1-D""")
W304 = register("W304", "warning", "softmax over an axis of length 1", """
A softmax over an axis with one entry is always 1, and its gradient is 0. The softmax is probably
over the wrong axis: for rows of examples use axis=-1; in the column convention, axis=0.""", """
    softmax(z2, axis=0)   # z2 is 1×Dy: every entry becomes 1""")
W305 = register("W305", "warning", "right for one example, wrong for a batch", """
The answer relies on broadcasting over an axis of length 1 (the single example). It gives the
right numbers here, but with a batch of N examples the same formula fails or computes something
else. The matrix-product form sums over the examples by itself.""", """
    db1 = dz1          # works while dz1 is 1×H
    db1 = sum(dz1, axis=0)""")
W306 = register("W306", "warning", ".T on an array of rank 3 or more reverses every axis", """
NumPy's `.T` reverses all the axes: on a stack of matrices B×T×E it gives E×T×B, not a stack of
transposed matrices. To transpose each matrix of a stack, swap the last two axes; to treat every
row of the stack as one example, flatten the stack first.""", """
    Om.T @ dY                                        # h*d×T×B @ B×T×E: not what you meant
    swapaxes(Om, -1, -2) @ dY                        # one h*d×E product per sequence
    Om.reshape(B * T, h * d).T @ dY.reshape(B * T, E)   # every token a row: the weight gradient""")
W307 = register("W307", "warning", "the numeric check is inconclusive where float64 cannot decide", """
Your answer is compared with the gradient on random values. Where the gradient is zero in exact
arithmetic but computed from terms that cancel (the rows of a softmax summed, many softmaxes nested),
or a function is saturated (sigmoid(1000 * x)), float64 computes it as rounding noise. When your
answer differs from it by no more than that noise in every draw, the values cannot decide: the
answer is not called wrong, its shape is checked, and `value_ok` is null.""", """
    a = softmax(softmax(x)); J = sum(a)    # ∂J/∂x is 0, computed as noise near 1e-17
    dx = x * 0                              # right, and inconclusive by the numbers""")
