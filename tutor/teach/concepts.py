"""The concepts behind the mistakes learners make with backpropagation's shapes, one entry each.

A diagnosis of `check` names the concept it found (`Diagnostic.concept`), the lessons' hints use the
same entries, and docs/concepts.md lists them (generated from this table, and tested against it). An
entry has a stable id (its anchor in the docs), a name, the paragraph a good teacher gives, written
with placeholders for the learner's own symbols (`{x}`, `{W}`, `{delta}`, `{N}`…) that a diagnosis
fills in where it knows them, and a hint that points at the idea without giving the formula away.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..engine.language.dims import ONE
from ..engine.language.ir import Call, Var, walk
from ..engine.language.network import Network

#: The symbols an explanation uses when a diagnosis supplies none: the motivating network's.
DEFAULT_SYMBOLS: dict[str, str] = {
    "x": "x", "W": "W1", "b": "b1", "z": "z1", "h": "h", "delta": "δ1", "N": "N", "yhat": "ŷ", "y": "y",
    "mask": "(h > 0)", "keep": "keep_prob", "leaf": "W1", "node": "z1", "factor": "∂z1/∂W1",
    "product": "x @ W1", "grad_x": "δ1 @ W1ᵀ", "grad_W": "xᵀ @ δ1",
}

#: Where the docs page lives; each concept is a section of it.
DOCS_PAGE = "docs/concepts.md"


@dataclass(frozen=True)
class Concept:
    id: str
    name: str
    explanation: str     # the teacher's paragraph, with `{symbol}` placeholders
    hint: str            # a nudge towards the idea, never the formula

    @property
    def link(self) -> str:
        return f"{DOCS_PAGE}#{self.id}"

    def explain(self, symbols: dict[str, str] | None = None) -> str:
        """The paragraph in the learner's symbols where given, the defaults elsewhere."""
        return self.explanation.format_map({**DEFAULT_SYMBOLS, **(symbols or {})})


CONCEPTS: dict[str, Concept] = {}


def concept(id: str, name: str, explanation: str, hint: str) -> Concept:
    if id in CONCEPTS:
        raise ValueError(f"concept {id} is defined twice")
    CONCEPTS[id] = Concept(id, name, " ".join(explanation.split()), " ".join(hint.split()))
    return CONCEPTS[id]


CHAIN_ORDER = concept("chain-order", "the order of the chain's factors", """
Matrix products do not commute, so the factors of the chain rule must be multiplied in the order
the shapes allow. With rows of examples ({x} @ {W}), the gradient travels from the loss on the
left: each step back multiplies the incoming gradient on the right by a transposed weight
({delta} @ {W}ᵀ). With columns ({W} @ {x}) the same step is {W}ᵀ @ {delta}, on the left. Writing
the factors in the order they appear in ∂J/∂a · ∂a/∂b · … only works while every factor is a matrix
whose axes line up; check each product's inner dimensions.""", """
Write the shape under every factor: which order makes each inner dimension meet its match?""")

TENSOR_FACTOR = concept("tensor-factor", "a Jacobian that is not a matrix", """
The derivative of a vector with respect to a matrix, such as {factor}, has one axis for each axis
of the output followed by one for each axis of the input: it is a tensor of rank 3 or 4, not a
matrix, and no matrix product with it gives the gradient. Write its entries instead
(∂z[k]/∂W[i,j] = x[i]·[j = k] for z = x W) and sum the incoming gradient against them over the
output's axes: that contraction is what the matrix formula stands for.""", """
How many axes does that factor have: the shape of its top, followed by the shape of its bottom?""")

OUTER_PRODUCT = concept("outer-product", "a weight's gradient is an outer product", """
In the product {product}, each weight of {W} connects one input to one output, so its gradient is
that input times the gradient arriving at that output. All of them at once are an outer product of
the layer's input {x} with the incoming gradient {delta}, {grad_W}: it has {W}'s shape and, for a
batch, sums over the examples by itself. With rows (x @ W) the input goes on the left, transposed
(xᵀ δ); with columns (W @ x), on the right (δ xᵀ).""", """
Each weight joins one input to one output: what two numbers does its gradient multiply, and how do
you get all such products at once?""")

MISSING_TRANSPOSE = concept("missing-transpose", "going back through a product transposes", """
Going backwards through the product {product} sends the gradient to {x} as {grad_x} and to {W} as
{grad_W}: the factor that was multiplied in the forward pass comes back transposed, because
the gradient flows along the same connections in the other direction. A matrix cannot be
transposed at will, though: the transpose is where the contraction's indices put it, and the
shapes confirm it.""", """
In the forward pass, which axis of that matrix met which? Going back, which axis must meet the gradient?""")

DIAGONAL_JACOBIAN = concept("diagonal-jacobian", "an elementwise step has a diagonal Jacobian", """
An elementwise function, {h} = σ({z}), makes each entry of {h} depend on the same entry of {z}
alone, so its Jacobian ∂{h}/∂{z} is diagonal: diag(σ′({z})), zero off the diagonal. Multiplying a
gradient by a diagonal matrix is the same as multiplying elementwise by its diagonal, which is
why backpropagation writes it with ∘ (`*` in NumPy): {delta} = (incoming) ∘ σ′({z}). Written as a
matrix product, `@`, the shapes stop working.""", """
Does each entry of the output depend on every entry of the input, or on one? What does that make the
Jacobian look like?""")

ACTIVATION_DERIVATIVE = concept("activation-derivative", "each activation's own derivative", """
Going back through an activation multiplies elementwise by that activation's derivative, taken at
the point the forward pass used: σ′ = {h} ∘ (1 − {h}) for a sigmoid, 1 − {h}² for tanh, the mask
({h} > 0) for a ReLU. Each is written with the activation's output {h}; using another activation's
derivative, evaluating it at the input {z}, or leaving it out gives other numbers of the same
shape, so only the values show the mistake.""", """
Which activation produced that layer, and what is its derivative written with its output?""")

SOFTMAX_JACOBIAN = concept("softmax-jacobian", "the softmax Jacobian is not diagonal", """
Unlike an elementwise activation, softmax makes every output depend on every input: its Jacobian
is diag({yhat}) − {yhat}ᵀ{yhat}, not just its diagonal {yhat} ∘ (1 − {yhat}). Applied to the
cross-entropy's −{y}/{yhat} it gives {yhat} − {y}, because the entries of {y} sum to 1; that is
why the two are usually derived together.""", """
Does one output of a softmax depend only on its own input?""")

BIAS_SUM = concept("bias-sum", "a bias's gradient sums over the examples", """
A bias {b} of shape (H,) is added to every row of the pre-activation: broadcasting copies it once
per example. A parameter used many times gets the sum of the gradients of its uses, so ∂J/∂{b} is
the incoming gradient summed over the axis it was broadcast along: the examples, axis 0 when they are
rows, axis 1 when they are columns. For a single example the sum has one term, which is why it is easy
to miss.""", """
How many times is the bias used in one forward pass, and what happens to the gradients of its uses?""")

MEAN_ONE_OVER_N = concept("mean-1-over-n", "the 1/{N} of the mean, exactly once", """
A loss averaged over {N} examples, J = (1/{N}) Σ Jᵢ, has the 1/{N} in every one of its gradients,
exactly once: where the loss divides by {N}, the derivative divides by {N} too. Leaving it out makes
every gradient {N} times too large (the step size then depends on the batch size); writing it both
in ∂J/∂ŷ and again in the weight gradient divides twice.""", """
Does the loss sum or average over the examples, and where does that factor go in the derivative?""")

PER_EXAMPLE = concept("per-example", "the per-example convention", """
Many courses write the output layer's error per example, without the batch's 1/{N} (deeplearning.ai's
dZ2 = A2 − Y), and put the 1/{N} into the weight and bias gradients instead. Such a step is {N} times
∂J/∂Z2, not ∂J/∂Z2 itself; both are fine as long as the 1/{N} comes back exactly once before a
parameter's gradient.""", """
Is this step the gradient of the averaged loss, or of one example's loss?""")

MASK = concept("mask", "a mask passes the gradient only where it let values through", """
A ReLU or a dropout multiplies its input elementwise by a mask of 0s and 1s, here {mask}, so going
back multiplies the incoming gradient by the same mask: where a unit was switched off in the
forward pass, no gradient flows through it. Leaving the mask out lets the gradient through units
that did not contribute.""", """
Which units were switched off in the forward pass, and what gradient can flow through them?""")

DROPOUT_SCALE = concept("dropout-scale", "the 1/{keep} of inverted dropout", """
Inverted dropout divides the kept activations by {keep} so that their expected value does not
change: {h}_drop = {h} ∘ {mask} / {keep}. Going back multiplies by the same {mask} / {keep}: the
gradient of the kept units is scaled by 1/{keep}, and leaving that factor out makes it {keep} times
too small.""", """
In the forward pass the kept units were rescaled; what does that do to their gradient?""")

TIED_WEIGHTS = concept("tied-weights", "a parameter used twice gets both gradients", """
When one parameter appears in two places (a tied autoencoder uses {W} to encode and {W}ᵀ to decode),
the loss depends on it through both uses, so its gradient is the sum of the two contributions,
each computed as if the other use were a separate parameter, and the one that came through {W}ᵀ
transposed back to {W}'s shape.""", """
Where else in the network does the same parameter appear?""")

LAYOUT = concept("layout", "rows or columns, numerator or denominator layout", """
Two conventions are in use. A Jacobian ∂a/∂b is laid out as a's shape then b's (numerator layout),
which is the form that chains; a gradient ∂J/∂{leaf} is laid out like {leaf} itself (denominator
layout), so that {leaf} -= lr * d{leaf} works. Likewise examples can be rows ({x} @ {W}) or columns
({W} @ {x}). Mixing the conventions without saying so is where unexplained transposes come from:
an answer that is the gradient's transpose is usually the numerator layout reported as a gradient.""", """
Which shape must the answer have to be subtracted from the parameter?""")

GRADIENT_SIGN = concept("gradient-sign", "the sign of the gradient", """
The gradient points the way that makes the loss larger, and gradient descent steps against it.
For softmax with cross-entropy ∂J/∂z = {yhat} − {y}: a probability that is too high gives a positive
entry, which descent lowers. The error written the other way round, {y} − {yhat}, is the negative
gradient; it is only right when the update adds it instead of subtracting.""", """
If the prediction is too large, should the gradient at that entry be positive or negative?""")

SQUARE_FACTOR = concept("square-factor", "the factor 2 of a square", """
The derivative of u² is 2u, so a squared error (ŷ − y)² has the gradient 2(ŷ − y). Courses often
put a ½ in the loss so that the 2 cancels; without the ½, the 2 stays.""", """
What is the derivative of a square, and does the loss have a ½ in front?""")

PARAMETER_SHAPE = concept("parameter-shape", "a gradient has its parameter's shape", """
∂J/∂{leaf} has exactly {leaf}'s shape, since J is one number and there is one partial derivative per
entry of {leaf}. An answer of another shape has stopped the chain early (it is the gradient of a node
on the way), kept an axis of length 1 that the parameter does not have, or rearranged the right
numbers into another shape.""", """
What shape is the parameter, and which factors lie between your answer's node and it?""")

CHAIN_COMPLETE = concept("chain-complete", "every factor from the loss to the leaf", """
The chain rule follows every path from the loss to {leaf}: each factor's bottom is the next one's top,
from J down to {leaf}, and where a value feeds two places both paths are added. A factor left out, or
a chain that stops at a node before {leaf}, gives the gradient of something else.""", """
List the nodes from the loss down to the leaf: which factor takes you across each step?""")

BATCH_FORM = concept("batch-form", "a formula that holds for a batch", """
With one example, a row of length 1 broadcasts against anything, so an elementwise product can stand
in for a matrix product and a missing sum over the examples goes unnoticed. With {N} examples the same
formula fails or computes something else; the matrix-product form ({x}ᵀ @ {delta}) and an explicit
sum over the examples (sum(…, axis=0)) hold for any {N}.""", """
Would the same line still be right with a batch of several examples?""")

STACK_TRANSPOSE = concept("stack-transpose", "`.T` on a stack reverses every axis", """
NumPy's `.T` reverses all the axes of an array: on a stack of matrices (B×T×E) it gives E×T×B, not a
stack of transposed matrices. To transpose each matrix of a stack, swap its last two axes
(swapaxes(A, -1, -2)); to treat every row of the stack as an example, flatten the stack first.""", """
How many axes does that array have, and which two should change places?""")

DISTINCT_DIMENSIONS = concept("distinct-dimensions", "distinct symbols are distinct dimensions", """
Two dimensions with different names are different even when their numbers happen to be equal: a
formula that conforms only because H and Dy are both 4 here breaks with other sizes. shapetutor
compares the symbols, as a proof by shapes would.""", """
Would this still conform if every dimension had a different size?""")


def lookup(id: str) -> Concept | None:
    return CONCEPTS.get(id)


def explain(id: str, symbols: dict[str, str] | None = None) -> str:
    """The paragraph for a concept id, in the given symbols; empty for an unknown id."""
    c = CONCEPTS.get(id)
    return c.explain(symbols) if c is not None else ""


def concept_hint(id: str) -> str:
    """A lesson's hint for a concept: its name and the nudge, never the formula."""
    c = CONCEPTS[id]
    name = c.name.format_map(DEFAULT_SYMBOLS)
    return f"{name[:1].upper()}{name[1:]}: {c.hint} ({c.link})"


def title(id: str, symbols: dict[str, str] | None = None) -> str:
    c = CONCEPTS.get(id)
    return c.name.format_map({**DEFAULT_SYMBOLS, **(symbols or {})}) if c is not None else ""


# -- where a leaf sits: which concept its gradient turns on ---------------------------------------

#: The names courses give the number of examples.
BATCH_NAMES = ("N", "m", "n", "B", "M", "batch_size", "num_examples", "num_train")


def weight_like(net: Network, leaf: str) -> bool:
    """A matrix that holds no example axis: its gradient is an outer product summed over the examples
    (W in x @ W), where a data matrix's (x's) is a product with a transposed weight. An axis named after
    the leaf itself (`inputs_0`, a homework file's `inputs.shape[0]`) is the data's own."""
    shape = net.leaves.get(leaf, ())
    long_axes = [d for d in shape if d != ONE]
    return len(long_axes) >= 2 and not any(name in BATCH_NAMES or name.startswith(f"{leaf}_")
                                           for d in shape for name in d.symbols)

def matmul_partner(net: Network, leaf: str) -> tuple[str, str] | None:
    """(node, other) for the first `node = … other @ leaf …` or `… leaf @ other …` with `other` a name."""
    found = matmul_order(net, leaf)
    return (found[0], found[1]) if found is not None else None


def matmul_order(net: Network, leaf: str) -> tuple[str, str, bool] | None:
    """(node, other, rows): rows when the leaf is on the right of the product (x @ W, examples as rows)."""
    for of, expr in net.definitions.items():
        for node in walk(expr):
            if isinstance(node, Call) and node.prim in ("matmul", "dot"):
                a, b = node.args[:2]
                for mine, other, rows in ((b, a, True), (a, b, False)):
                    if isinstance(mine, Var) and mine.name == leaf and isinstance(other, Var):
                        return of, other.name, rows
    return None


def is_broadcast_bias(net: Network, leaf: str) -> bool:
    """The leaf is added to something it is broadcast against: the other operand has more axes, or a longer
    axis where the leaf's is 1 (a row bias 1×H against N×H, a column bias n×1 against n×m)."""
    shape = net.shapes.get(leaf)
    if shape is None:
        return False
    for expr in net.definitions.values():
        for node in walk(expr):
            if not (isinstance(node, Call) and node.prim in ("add", "sub")):
                continue
            for arg, other in ((node.args[0], node.args[-1]), (node.args[-1], node.args[0])):
                if getattr(arg, "name", None) != leaf or other.shape is None:
                    continue
                theirs = other.shape
                if len(theirs) > len(shape) or any(
                        mine == ONE and their != ONE for mine, their in zip(reversed(shape), reversed(theirs))):
                    return True
    return False


def uses(net: Network, leaf: str) -> int:
    """How many times the network reads the leaf."""
    return sum(1 for expr in net.definitions.values() for n in walk(expr) if isinstance(n, Var) and n.name == leaf)


def product_uses(net: Network, leaf: str) -> int:
    """How many matrix products the leaf enters, itself or transposed: a tied weight (W and Wᵀ) or a
    quadratic form (xᵀ A x) counts two; a penalty such as sum(W * W) is not a product."""
    count = 0
    for expr in net.definitions.values():
        for node in walk(expr):
            if isinstance(node, Call) and node.prim in ("matmul", "dot", "einsum"):
                for arg in node.args:
                    bare = arg.args[0] if isinstance(arg, Call) and arg.prim == "transpose" and arg.args else arg
                    count += isinstance(bare, Var) and bare.name == leaf
    return count


def gradient_concept(net: Network, leaf: str) -> str:
    """The concept a learner needs to write ∂J/∂leaf: a broadcast bias's sum, a weight matrix's outer
    product, the transpose a product brings back, else following the chain to the end."""
    if is_broadcast_bias(net, leaf):
        return "bias-sum"
    if product_uses(net, leaf) > 1:
        return "tied-weights"
    if matmul_partner(net, leaf) is not None:
        return "outer-product" if weight_like(net, leaf) else "missing-transpose"
    return "chain-complete"


def factor_concept(shape: tuple, diagonal: bool) -> str:
    """The concept behind a Jacobian ∂of/∂wrt of this shape: diagonal for an elementwise step, a tensor
    when more than two of its axes are longer than 1, else the order of the chain's matrices."""
    if diagonal:
        return "diagonal-jacobian"
    if len([d for d in shape if d != ONE]) > 2:
        return "tensor-factor"
    return "chain-order"
