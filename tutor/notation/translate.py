"""A tree of mathematics → the network language, with the shapes deciding what a product means.

`x^T \\delta_1` is `x.T @ dz1`; `h \\circ (1 - h)` is `h * (1 - h)`; `·` or juxtaposition is a matrix
product when the inner dimensions agree, a scalar product when one side is a scalar, and an
elementwise one when only that conforms. Each decision that the shapes made is kept as a note,
so the learner sees how their text was read.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from keyword import iskeyword

from ..engine.language.dims import ONE, Dim, Shape, format_shape
from ..engine.errors import ParseError, UnknownNameError
from ..engine.simplify.build import broadcast_of
from .aliases import GRADIENT_LETTERS
from .grammar import M

ADD, MUL, UNARY, POWER, POSTFIX, ATOM = 1, 2, 3, 4, 5, 6

#: Readings kept in modules of their own, registered there by what they read (kronecker.py: "kron", "vec"); every
#: module that makes a Translator imports them (derivation.py, network.py, entries.py), so that each is registered
#: before it is needed.
READINGS: dict[str, Callable[..., "Translation"]] = {}


@dataclass
class Names:
    """What the network calls things, and the shapes they have."""

    shapes: dict[str, Shape | None]                  # arrays: leaves, definitions, names of earlier lines
    dims: set[str] = field(default_factory=set)
    loss: str = "J"
    sigmoid_of: dict[str, str] = field(default_factory=dict)   # z1 → h where h = sigmoid(z1)
    tanh_of: dict[str, str] = field(default_factory=dict)
    truth: Callable[[str], str | None] | None = None            # node → the code of ∂loss/∂node
    activation_of: dict[str, str] = field(default_factory=dict)  # z1 → "tanh" where a node is tanh(z1)
    output: str | None = None                                    # what the loss reads: ∇C is ∂C/∂output
    leaves: frozenset[str] = frozenset()
    given: dict[str, str] = field(default_factory=dict)          # dZ2 → "A2 - Y" where the post itself says so
    columns: bool = False                                        # vectors are columns: softmax runs down axis 0
    examples: str | None = None                                  # the examples' dimension (N, m), when there is one
    defined_as: dict[str, str] = field(default_factory=dict)     # "softmax(beta, axis=0)" → p: a node by its definition

    def known(self, name: str) -> bool:
        return self.resolve(name) is not None

    def leaf_shapes(self) -> set[Shape | None]:
        return {self.shapes[n] for n in self.leaves if n in self.shapes}

    def resolve(self, written: str) -> str | None:
        """The network's name for what was written: itself, yhat for y_hat, dz1 for δ1, the loss for J."""
        if written in self.shapes or written in self.dims:
            return written
        squeezed = written.replace("_", "")
        for name in list(self.shapes) + sorted(self.dims):
            if name.replace("_", "") == squeezed:
                return name
        lowered = [n for n in list(self.shapes) + sorted(self.dims) if n.lower() == written.lower()]
        if len(lowered) == 1 and not written.startswith(("delta", "Delta")):   # dz2 for dZ2 (one example, a batch)
            return lowered[0]
        if written.startswith("d") and len(written) > 1:
            node = self.resolve(written[1:]) if written[1:] != written else None
            if node is not None and node in self.shapes and not node.startswith("d"):
                return "d" + node
        said = GRADIENT_LETTERS.get().get(written) if written.startswith(("delta", "Delta")) \
            or written == "g" and written not in self.shapes else None   # g = ∇_a J, as the Deep Learning book has it
        if said is not None and said != written and (node := self.resolve(said)) in self.shapes \
                and node not in self.leaves:   # ∂C/∂b = δ says what b's gradient is, not what δ names
            return "d" + node   # the post says what its δ is: ∂J/∂z2 = ŷ − y = δ1
        for prefix, grad in (("delta", "d"), ("Delta", "d")):
            if written.startswith(prefix) and written[len(prefix):].isdigit():
                k = written[len(prefix):]
                for node in ((f"z{k}", f"Z{k}") if prefix == "delta" else (f"Z{k}", f"z{k}")):
                    if node in self.shapes:
                        return grad + node
        if written in ("A0", "a0") and written not in self.shapes:   # deeplearning.ai's A^{[0]} is the input X
            for name in ("X", "x"):
                if name in self.shapes and name in self.leaves:
                    return name
        if written in ("delta", "Delta"):   # δ with no layer, in a network of one layer: ∂J/∂z
            for node in ("z", "Z"):
                if node in self.shapes:
                    return "d" + node
        if written in ("J", "L", "E", "C", "l", "loss", "Loss", "cost", "CE", "MSE") and self.loss in self.shapes:
            return self.loss
        if written in ("yhat", "Yhat"):
            for name in ("y_hat", "yhat", "Yhat", "Y_hat", "probs", "p", "P", "A2", "a2", "out", "output"):
                if name in self.shapes and (written[0] == name[0] or name not in ("probs", "p", "P")):
                    return name
        return None


@dataclass
class Translation:
    code: str
    shape: Shape | None
    prec: int
    notes: list[str] = field(default_factory=list)


class Translator:
    def __init__(self, names: Names, origin: str = "<derivation>", source: str = ""):
        self.names = names
        self.origin = origin
        self.source = source
        self.notes: list[str] = []
        self.gradients_used: set[str] = set()   # δ names read as ∂J/∂z (dz1): given when never defined
        self.d_names: set[str] = set()          # of those, the ones written as a course writes them: dZ2, dZ^{[2]}
        self.target: Shape | None = None        # the shape the equation being read claims (∂J/∂b1: b1's)
        self.whole_sums = False                 # a loss: one number, so every Σ in it sums everything

    def error(self, message: str, expected: str | None = None) -> ParseError:
        return ParseError(message, source=self.source or None, origin=self.origin, expected=expected)

    def span_at(self, pos: int, length: int):
        """Where a piece of the mathematics stands in the text read (None when there is no text)."""
        from ..engine.diagnostics import Span, source_lines
        if not self.source or not 0 <= pos < len(self.source):
            return None
        before = source_lines(self.source[:pos])
        return Span(len(before), len(before[-1]), len(before[-1]) + max(length, 1))

    def __call__(self, m: M) -> Translation:
        return self.go(m)

    def go(self, m: M) -> Translation:
        kind = m.kind
        if kind == "num":
            v = m.value
            text = str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(v)
            return Translation(text, (), ATOM)
        if kind == "name":
            return self.name(m)
        if kind in ("add", "sub"):
            a, b = self.go(m.args[0]), self.go(m.args[1])
            op = "+" if kind == "add" else "-"
            return Translation(f"{self.wrap(a, ADD)} {op} {self.wrap(b, ADD + 1)}",
                               broadcast(a.shape, b.shape), ADD)
        if kind == "neg":
            a = self.go(m.args[0])
            return Translation(f"-{self.wrap(a, UNARY)}", a.shape, UNARY)
        if kind == "had" and m.args[1].kind == "prod" and m.args[1].written == " ":
            return self.hadamard_then_product(m)
        if kind in ("had", "div"):
            a, b = self.go(m.args[0]), self.go(m.args[1])
            return self.elementwise(a, "*" if kind == "had" else "/", b)
        if kind in ("gt", "lt", "ge", "le"):   # a mask: relu′ written as [z > 0] or 𝟙(z > 0)
            a, b = self.go(m.args[0]), self.go(m.args[1])
            op = {"gt": ">", "lt": "<", "ge": ">=", "le": "<="}[kind]
            return Translation(f"{self.wrap(a, ADD)} {op} {self.wrap(b, ADD)}", broadcast(a.shape, b.shape), 0)
        if kind in ("matmul", "prod") and (is_ones(m.args[0]) or is_ones(m.args[1])):
            return self.ones_product(m)
        if kind in ("matmul", "prod") and m.args[0].kind in ("matmul", "prod") and is_ones(m.args[0].args[1]):
            inner = m.args[0]   # (1/N) 𝟏ᵀ δ: the ones go with what follows them
            return self.go(M(inner.kind, (inner.args[0], M(m.kind, (inner.args[1], m.args[1]), written=m.written)),
                             written=inner.written))
        if kind == "ones":
            return self.ones(m)
        if kind == "kron" or kind in ("matmul", "prod") and m.args[1].kind == "kron":
            return READINGS["kron"](self, m)   # A ⊗ B, and a product whose right factor is one (kronecker.py)
        if kind == "matmul":
            a, b = self.go(m.args[0]), self.go(m.args[1])
            return Translation(f"{self.wrap(a, MUL)} @ {self.wrap(b, MUL + 1)}", matmul(a.shape, b.shape), MUL)
        if kind == "prod":
            return self.product(m)
        if kind == "T":
            a = self.go(m.args[0])
            if a.shape == ():   # λᵀ: a number is its own transpose
                return a
            shape = a.shape if a.shape is None or len(a.shape) < 2 else a.shape[:-2] + (a.shape[-1], a.shape[-2])
            return Translation(f"{self.wrap(a, POSTFIX)}.T", shape, POSTFIX)
        if kind == "pow" and m.args[0].kind == "norm" and m.value == 2:  # ‖v‖² is the sum of squares
            a = self.go(m.args[0].args[0])
            return Translation(f"sum(({a.code}) ** 2)", (), ATOM)
        if kind == "pow":
            a = self.go(m.args[0])
            v = m.value
            exponent = str(int(v)) if float(v).is_integer() else repr(v)
            if exponent.startswith("-"):
                exponent = f"({exponent})"
            return Translation(f"{self.wrap(a, POSTFIX)} ** {exponent}", a.shape, POWER)
        if kind == "call":
            return self.call(m)
        if kind in ("sum", "mean") and m.value is not None:   # along one axis, keeping the others
            a = self.go(m.args[0])
            shape = None if a.shape is None else tuple(d for i, d in enumerate(a.shape) if i != m.value % len(a.shape))
            return Translation(f"{kind}({a.code}, axis={m.value})", shape, ATOM)
        if kind == "sum" and m.index:
            return self.summed(m)
        if kind in ("sum", "mean"):
            a = self.go(m.args[0])
            return Translation(f"{kind}({a.code})", (), ATOM)
        if kind == "norm":
            a = self.go(m.args[0])
            self.notes.append(f"‖{a.code}‖ read as the Euclidean norm: sqrt(sum(({a.code}) ** 2))")
            return Translation(f"sqrt(sum(({a.code}) ** 2))", (), ATOM)
        if kind == "prime":
            return self.prime(m)
        if kind == "partial" and (node := self.gradient_of(m)) is not None:   # ∂J/∂z2 inside an expression: a value
            self.note(f"∂{self.names.loss}/∂{node} read as the gradient d{node}")
            if f"d{node}" not in self.names.shapes:
                self.gradients_used.add(f"d{node}")
            return Translation(f"d{node}", self.names.shapes.get(node), ATOM)
        if kind == "partial":
            raise self.error("a ∂-factor can only be chained by products (∂J/∂z1 · ∂z1/∂W1), not used inside "
                             "another operation", "a product of ∂-factors, or the expression it stands for")
        if kind == "tuple":   # (1, 1, 1): a row of equal numbers, as people write a vector of ones
            values = {a.value for a in m.args if a.kind == "num"}
            if len(values) == 1 and all(a.kind == "num" for a in m.args):
                n = len(m.args)
                self.note(f"({', '.join('1' for _ in m.args)}) read as a 1×{n} row of ones")
                ones = f"ones((1, {n}))"
                value = values.pop()
                return Translation(ones if value == 1 else f"{self.go(m.args[0]).code} * {ones}", (ONE, Dim(n)),
                                   ATOM if value == 1 else MUL)
            raise self.error("a list of several expressions is not a value here")
        if kind == "space":
            raise self.error("ℝ^{…} is a shape, not a value", "W_1 \\in \\mathbb{R}^{D_x \\times H} on its own line")
        raise self.error(f"cannot read {kind} here")

    def summed(self, m: M) -> Translation:
        """Σ with an index: over the examples' axis only when the index counts the examples (its bound is
        their dimension, it is that dimension's letter, `n` for N, or the summand writes it as an example,
        δ^{(n)}, dZ^{[1](i)}); otherwise over everything, as Σ_{i,j} and Σ_k Y_k log P_k are."""
        a = self.go(m.args[0])
        examples = self.examples_summed(m)
        sigma = f"Σ_{m.index}"
        if self.names.examples is None and examples is None and carries(m.args[0], f"({m.index})") \
                and not self.whole_sums and a.shape is not None:   # Σ_i x^{(i)T} δ^{(i)} with one example
            self.note(f"{sigma} taken over the examples, of which the network has one: the sum is its one term, "
                      f"{short(a.code, 40)}")
            return a
        if examples is None or a.shape is None or self.whole_sums:
            return Translation(f"sum({a.code})", (), ATOM)
        if Dim.symbol(examples) not in a.shape:   # Σ_n x_nᵀ (p_n − y_n): the matrix product has summed them
            self.note(f"{sigma} taken as already done: the matrix product {short(a.code, 40)} "
                      f"({format_shape(a.shape)}) sums over the examples ({examples}) itself")
            return a
        if list(a.shape).count(Dim.symbol(examples)) != 1:
            return Translation(f"sum({a.code})", (), ATOM)
        axis = a.shape.index(Dim.symbol(examples))
        kept = a.shape[:axis] + (ONE,) + a.shape[axis + 1:]
        dropped = a.shape[:axis] + a.shape[axis + 1:]
        params = self.names.leaf_shapes() or set(self.names.shapes.values())
        if self.target in (kept, dropped):
            shape = self.target
        elif all(d == ONE for d in dropped):
            shape = ()
        elif (kept in params) != (dropped in params):
            shape = kept if kept in params else dropped
        else:
            shape = kept if self.names.columns else dropped
        code = f"sum({a.code})" if shape == () else \
            f"sum({a.code}, axis={axis}{', keepdims=True' if shape == kept else ''})"
        self.note(f"{sigma} taken over the examples only ({m.index} counts them, {examples}): {code}, "
                  f"{'of shape ' + format_shape(shape) if shape else 'a number'}; write \\sum_{{i,j}} to add up every entry")
        return Translation(code, shape, ATOM)

    def ones(self, m: M) -> Translation:
        """A vector of ones on its own: N ones when its length is written (𝟏_N), else the number 1, which
        adds and multiplies elementwise as a vector of ones would."""
        size = self.names.resolve(str(m.value)) if m.value else None
        if m.value and size is None and not str(m.value).isdigit():
            raise self.error(f"the length of the vector of ones, {m.value!r}, is not a dimension of the network",
                             "𝟏_N with N one of the network's dimensions")
        if size is None and not m.value:
            self.note("𝟏 taken as the number 1: nothing multiplies it as a matrix to give it a length")
            return Translation("1", (), ATOM)
        n = size or str(m.value)
        return Translation(f"ones({n})", (Dim.symbol(n) if size else Dim(int(n)),), ATOM)

    def ones_product(self, m: M) -> Translation:
        """𝟏ᵀ δ, δ 𝟏: a vector of ones beside a matrix is as long as the product needs (N ones sum the N rows),
        a 1-D vector or a 1×N row (N×1 column) as the gradient being read has its shape."""
        left = is_ones(m.args[0])
        ones_m, other_m = (m.args[0], m.args[1]) if left else (m.args[1], m.args[0])
        other = self.go(other_m)
        shape = other.shape
        if shape is None or len(shape) == 0 or is_ones(other_m):
            a, b = (self.go(ones_m), other) if left else (other, self.go(ones_m))
            return self.joined(a, b, m.written)
        n = (shape[-2] if len(shape) >= 2 else shape[0]) if left else shape[-1]
        inner = ones_m.args[0] if ones_m.kind == "T" else ones_m
        if inner.value:   # 𝟏_N: the length is written
            n = self.ones(inner).shape[0]   # type: ignore[index]
        size = " * ".join(n.factors)
        flat, kept = (n,), ((ONE, n) if left else (n, ONE))
        results = {code: matmul(s, shape) if left else matmul(shape, s)
                   for code, s in ((f"ones({size})", flat), (f"ones(({size}, 1))" if not left else f"ones((1, {size}))",
                                                              kept))}
        leaf_shapes = self.names.leaf_shapes()
        codes = list(results)
        chosen = next((c for c in codes if results[c] is not None and results[c] == self.target), None) or \
            next((c for c in codes if results[c] is not None and results[c] in leaf_shapes
                  and results[codes[1 - codes.index(c)]] not in leaf_shapes), None) or \
            codes[1 if self.names.columns else 0]
        self.note(f"𝟏 taken as a vector of {format_shape((n,))} ones ({chosen}), the length its product with "
                  f"{short(other.code)} needs: it adds up {'the rows' if left else 'the columns'}")
        code = f"{chosen} @ {self.wrap(other, MUL + 1)}" if left else f"{self.wrap(other, MUL)} @ {chosen}"
        return Translation(code, results[chosen], MUL)

    def examples_summed(self, m: M) -> str | None:
        """The examples' dimension when Σ's index counts the examples, else None."""
        examples = self.names.examples
        written = m.bound.strip("{} ")
        bound = self.names.resolve(written) if written else None
        if examples is None and bound in self.names.dims:   # \sum_{n=1}^{N}: its bound names them
            examples = bound
        if examples is None or not m.index.isalpha() or len(m.index) > 1:
            return None
        if bound == examples or m.index == examples.lower() or carries(m.args[0], f"({m.index})") \
                or self.selects_example(m.args[0], m.index, examples):
            return examples
        return None

    def selects_example(self, m: M, index: str, examples: str) -> bool:
        """Whether the summand writes Σ's index as the subscript of an array that has one example per row (or,
        with the examples as columns, per column): `Ŷ_i` of an N×Dy batch is example i, while `y_i` of a
        vector of one example, or of any array without the examples' axis, is one of its entries."""
        if m.kind == "name" and m.index == index:
            name = self.names.resolve(str(m.value))
            shape = self.names.shapes.get(name) if name is not None else None
            if shape is None and name is not None and name.startswith("d"):
                shape = self.names.shapes.get(name[1:])
            return shape is not None and list(shape).count(Dim.symbol(examples)) == 1 \
                and Dim.symbol(examples) in (shape[0], shape[-1])
        return any(isinstance(a, M) and self.selects_example(a, index, examples) for a in m.args)

    def gradient_of(self, m: M) -> str | None:
        """The node a loss-rooted ∂-factor is the gradient at (∂J/∂z2 → z2, ∇C → the output), or None."""
        of, wrt = m.args
        if of.kind != "name" or self.names.resolve(of.value) not in (self.names.loss, None) or wrt.kind != "name":
            return None
        if wrt.value == "<output>":
            return self.names.output
        node = self.names.resolve(wrt.value)
        return node if node in self.names.shapes and not node.startswith("d") else None

    def wrap(self, t: Translation, prec: int) -> str:
        return f"({t.code})" if t.prec < prec else t.code

    def name(self, m: M) -> Translation:
        written = m.value
        name = self.names.resolve(written)
        if name is None:
            if written == "e":
                return Translation("exp(1)", (), ATOM)
            pretty = m.written or written
            raise UnknownNameError(f"{pretty!r} is not a name of the network (read as {written!r})",
                                   self.span_at(m.pos, len(pretty)), source=self.source or None, origin=self.origin,
                                   expected="one of " + ", ".join(list(self.names.shapes)[:30]))
        if name != written and not written.startswith(("delta", "Delta")):
            self.note(f"{m.written or written} read as {name}")
        elif m.written and m.written.lstrip("\\") != written and iskeyword(m.written.lstrip("\\")):
            self.note(f"{m.written} read as {name}: {m.written.lstrip(chr(92))} is a word the network language keeps")
        delta = written.startswith(("delta", "Delta"))
        if delta and name != written and written in GRADIENT_LETTERS.get():
            greek = re.sub(r"^(delta|Delta)_?", lambda g: "δ" if g.group(1) == "delta" else "Δ", m.written or written)
            self.note(f"the post's {greek} is its own ∂{self.names.loss}/∂{name[1:]} (it writes "
                      f"∂{self.names.loss}/∂{name[1:]} = … = {greek}), so it is {name} here")
        elif delta and name != written:
            self.note(f"{m.written or written} read as {name} = ∂{self.names.loss}/∂{name[1:]}")
            if name not in self.names.shapes:
                self.gradients_used.add(name)
        if name.startswith("d") and name not in self.names.shapes and name[1:] in self.names.shapes:
            self.gradients_used.add(name)   # dZ2 used, never written: ∂J/∂Z2 taken as given
            if not delta:
                self.d_names.add(name)
        if name in self.names.dims:
            return Translation(name, (), ATOM)
        shape = self.names.shapes.get(name)
        if shape is None and name.startswith("d"):
            shape = self.names.shapes.get(name[1:])
        return Translation(name, shape, ATOM)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def elementwise(self, a: Translation, op: str, b: Translation) -> Translation:
        return Translation(f"{self.wrap(a, MUL)} {op} {self.wrap(b, MUL + 1)}", broadcast(a.shape, b.shape), MUL)

    def hadamard_then_product(self, m: M) -> Translation:
        """`a ∘ b c`: juxtaposition binds first, unless that reading fails where (a ∘ b) c, the learner's
        chain with c its last factor, does not, or fails in b c itself: δ2 W2ᵀ ∘ h ∘ (1 − h) W1ᵀ is
        δ1 W1ᵀ, and δ2 W2ᵀ ∘ h ∘ (1 − h) x is δ1 x, whose mismatch is the chain's own (1×H · 1×Dx)."""
        b_c = m.args[1]
        a, b, c = self.go(m.args[0]), self.go(b_c.args[0]), self.go(b_c.args[1])
        known = None not in (a.shape, b.shape, c.shape)
        inner = matmul(b.shape, c.shape)
        tight = inner is not None and broadcast(a.shape, inner) is not None
        left = broadcast(a.shape, b.shape)
        loose = left is not None and matmul(left, c.shape) is not None
        if known and not tight and decide_product(b.shape, c.shape)[0] == "@" and (loose or inner is None):
            return self.joined(self.elementwise(a, "*", b), c, b_c.written)
        return self.elementwise(a, "*", self.joined(b, c, b_c.written))

    def product(self, m: M) -> Translation:
        applied = self.as_function(m)
        if applied is not None:
            return applied
        return self.joined(self.go(m.args[0]), self.go(m.args[1]), m.written)

    def as_function(self, m: M) -> Translation | None:
        """`S(X)`, `E_{in}(W)`, `a(z)`: a value of the network written as a function of names, right against its
        bracket, is that value (the notation of a function), never the value times the names."""
        base, argument = m.args
        if m.written != " " or base.kind != "name" or not self.source or self.source[m.pos:m.pos + 1] != "(":
            return None
        names = argument.args if argument.kind == "tuple" else (argument,)
        node = self.names.resolve(str(base.value))
        if node is None or node in self.names.leaves or node not in self.names.shapes or node.startswith("d") \
                or not all(a.kind == "name" and self.names.resolve(str(a.value)) in self.names.shapes for a in names):
            return None
        written = self.source[base.pos:m.pos].strip() or str(base.value)
        inside = ", ".join(str(a.written or a.value) for a in names)
        self.note(f"{written}({inside}) read as {node}, the network's value written as a function of {inside}: "
                  "not a product")
        return self.go(base)

    def joined(self, a: Translation, b: Translation, written_as: str) -> Translation:
        """A product written `·` or by juxtaposition: a matrix or an elementwise product, as the shapes say."""
        if self.whole_sums and written_as == "·" and a.shape == b.shape and a.shape and matmul(a.shape, b.shape) is None:
            self.note(f"· in the loss between {short(a.code)} and {short(b.code)}, two {format_shape(a.shape)} arrays, "
                      "read as their inner product (the loss is one number): sum of the elementwise product")
            return Translation(f"sum({self.wrap(a, MUL)} * {self.wrap(b, MUL + 1)})", (), ATOM)
        op, why = decide_product(a.shape, b.shape)
        written = {"·": "·", "×": "×", " ": "juxtaposition", "*": "*"}.get(written_as, written_as)
        if why:
            self.note(f"{written} in {short(self.wrap(a, MUL))} {written_as.strip() or '·'} "
                      f"{short(self.wrap(b, MUL + 1))} read as {why}")
        if op == "@":
            return Translation(f"{self.wrap(a, MUL)} @ {self.wrap(b, MUL + 1)}", matmul(a.shape, b.shape), MUL)
        return Translation(f"{self.wrap(a, MUL)} * {self.wrap(b, MUL + 1)}", broadcast(a.shape, b.shape), MUL)

    def call(self, m: M) -> Translation:
        fn = m.value
        args = [self.go(a) for a in m.args]
        if fn == "max_" and len(args) == 2:
            fn = "maximum"
        if fn == "max_":
            fn = "max"
        if fn == "diag" and args[0].shape is not None and len(args[0].shape) == 2 and args[0].shape[0] == ONE:
            self.note(f"diag of the row {short(args[0].code)} read as the diagonal matrix of its entries")
            inner = f"{self.wrap(args[0], POSTFIX)}[0]"
            n = args[0].shape[1]
            return Translation(f"diag({inner})", (n, n), ATOM)
        if fn == "diag" and args[0].shape is not None and len(args[0].shape) == 2 and args[0].shape[1] == ONE:
            self.note(f"diag of the column {short(args[0].code)} read as the diagonal matrix of its entries")
            n = args[0].shape[0]
            return Translation(f"diag({self.wrap(args[0], POSTFIX)}.T[0])", (n, n), ATOM)
        if fn == "diag":
            s = args[0].shape
            return Translation(f"diag({args[0].code})", (s[0], s[0]) if s is not None and len(s) == 1 else None,
                               ATOM)
        if fn == "vec" and len(args) == 1:
            return READINGS["vec"](self, args[0])
        if fn == "cross_entropy":
            if len(args) != 2:
                raise self.error("cross-entropy takes two arguments: CE(y, ŷ)")
            return Translation(f"cross_entropy({args[0].code}, {args[1].code})", (), ATOM)
        if fn in ("sum", "mean"):
            return Translation(f"{fn}({args[0].code})", (), ATOM)
        if fn == "outer":
            return Translation(f"outer({', '.join(a.code for a in args)})", None, ATOM)
        if fn in ("softmax", "log_softmax") and len(args) == 1 and args[0].shape is not None \
                and len(args[0].shape) == 2 and (self.names.columns or args[0].shape[1] == ONE != args[0].shape[0]):
            self.note(f"{fn}({short(args[0].code)}) taken down each column (axis 0): the vectors are columns")
            return Translation(f"{fn}({args[0].code}, axis=0)", args[0].shape, ATOM)
        if len(args) != 1 and fn not in ("maximum",):
            raise self.error(f"{fn} takes one argument, not {len(args)}")
        shape = args[0].shape if fn != "maximum" else broadcast(args[0].shape, args[1].shape)
        return Translation(f"{fn}({', '.join(a.code for a in args)})", shape, ATOM)

    def prime(self, m: M) -> Translation:
        """σ′(z) = σ(z)(1 − σ(z)), written with the network's own name for σ(z) when it has one."""
        fn = m.value
        arg = self.go(m.args[0])
        if fn == "activation":   # g′(z): the derivative of the activation the network applies to z
            kinds = set(self.names.activation_of.values())
            fn = self.names.activation_of.get(arg.code) or (kinds.pop() if len(kinds) == 1 else None)
            if fn is not None and arg.code not in self.names.activation_of:
                self.note(f"g′({arg.code}) read as {fn}′, the network's one activation")
                return self.prime(M("prime", m.args, value=fn))
            if fn is None:
                raise self.error(f"cannot tell which activation's derivative g′({arg.code}) is: the network applies "
                                 f"none to {arg.code}", "σ′(z), tanh′(z) or ReLU′(z)")
        if fn == "sigmoid":
            s = self.names.sigmoid_of.get(arg.code, f"sigmoid({arg.code})")
            return Translation(f"{s} * (1 - {s})", arg.shape, MUL)
        if fn == "tanh":
            t = self.names.tanh_of.get(arg.code, f"tanh({arg.code})")
            return Translation(f"(1 - {t} ** 2)", arg.shape, ATOM)
        if fn == "relu":
            return Translation(f"({arg.code} > 0)", arg.shape, ATOM)
        raise self.error(f"cannot read the derivative of {fn}")


def is_ones(m: M) -> bool:
    """A vector of ones, or its transpose: 𝟏, 𝟏ᵀ."""
    return m.kind == "ones" or m.kind == "T" and m.args[0].kind == "ones"


def carries(m: M, index: str) -> bool:
    """Whether a name in `m` is written with this index: δ_1^{(n)}, dZ^{[1](i)}."""
    return m.kind == "name" and m.index == index or any(isinstance(a, M) and carries(a, index) for a in m.args)


def short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def decide_product(a: Shape | None, b: Shape | None) -> tuple[str, str]:
    """`@` or `*` for a product written `·` or by juxtaposition, and why (empty when it goes without saying)."""
    if a == () or b == ():
        return "*", ""
    if a is None or b is None:
        return "@", "a matrix product (a shape was not known)"
    if matmul(a, b) is not None:
        return "@", f"a matrix product ({format_shape(a)})({format_shape(b)})"
    if a and b and (all(d == ONE for d in a) or all(d == ONE for d in b)):   # (ŷ − y) x with ŷ − y 1×1
        return "*", f"a scalar product: the 1×1 side is a number ({format_shape(a)} · {format_shape(b)} do not chain)"
    if a == b:  # only equal shapes: a row times a column would broadcast into an outer product unasked
        return "*", f"an elementwise product (∘): {format_shape(a)} and {format_shape(b)} do not chain as matrices"
    return "@", f"a matrix product, which does not conform: {format_shape(a)} · {format_shape(b)}"


def broadcast(a: Shape | None, b: Shape | None) -> Shape | None:
    """NumPy's broadcast of two shapes read so far (None where either is unknown or they do not)."""
    return None if a is None or b is None else broadcast_of((a, b))


def matmul(a: Shape | None, b: Shape | None) -> Shape | None:
    if a is None or b is None or not a or not b:
        return None
    if len(a) == 1 and len(b) == 1:
        return () if a[0] == b[0] else None
    if len(a) == 1:
        return b[:-2] + (b[-1],) if a[0] == b[-2] else None
    if len(b) == 1:
        return a[:-1] if a[-1] == b[0] else None
    if a[-1] != b[-2]:
        return None
    batch = broadcast(a[:-2], b[:-2])
    return None if batch is None else batch + (a[-2], b[-1])


def names_for(network) -> Names:
    """The names a derivation may use with a network: its nodes, its dimensions, the forward values of σ."""
    from ..engine.language.printer import code
    sigmoid_of, tanh_of = dict[str, str](), dict[str, str]()
    for name, expr in network.definitions.items():
        text = code(expr)
        if text.startswith("sigmoid(") and text.endswith(")") and text[8:-1].isidentifier():
            sigmoid_of.setdefault(text[8:-1], name)
        if text.startswith("tanh(") and text.endswith(")") and text[5:-1].isidentifier():
            tanh_of.setdefault(text[5:-1], name)
    shapes: dict[str, Shape | None] = dict(network.shapes)
    activations: dict[str, str] = {}
    for expr in network.definitions.values():
        text = code(expr)
        for fn in ("sigmoid", "tanh", "relu"):
            if text.startswith(fn + "(") and text.endswith(")"):   # keyed by its argument as code: z1, x @ W1
                activations.setdefault(text[len(fn) + 1:-1], fn)
    reads = [n for n in network.reads.get(network.loss, ()) if n in network.definitions]
    names = Names(shapes, set(network.dims), network.loss, sigmoid_of, tanh_of, None, activations,
                  reads[-1] if reads else None, frozenset(network.leaves))
    names.examples = examples_dimension(network)
    names.defined_as = {code(expr): name for name, expr in network.definitions.items()}
    return names


#: What courses call the number of examples, when the loss does not say it by averaging over it.
EXAMPLES = ("N", "m", "M", "B", "n")


def examples_dimension(network) -> str | None:
    """The dimension that counts the examples: the one the loss averages over, or else the one named as
    courses name it (N, m, B) when a leaf has it; None for a network of one example."""
    from ..engine.language.averaging import averaged_over
    return examples_among(set(averaged_over(network)), [network.shapes[n] for n in network.leaves])


def examples_among(averaged: set[str], leaf_shapes) -> str | None:
    held = {d for shape in leaf_shapes if shape for dim in shape for d in dim.names}
    if len(averaged & held) == 1:
        return next(iter(averaged & held))
    named = [d for d in EXAMPLES if d in held]
    return named[0] if len(named) == 1 else None


def is_assumption(note: str) -> bool:
    """A reading the shapes settled beyond doubt (a product whose inner dimensions agree, a name spelt
    another way) is not an assumption; an elementwise reading of `·`, an inferred shape, a δ taken as given
    are, and are said with the way to say otherwise."""
    settled = "read as a matrix product (" in note or " read as " in note.split(":")[0]
    return not settled or any(w in note for w in ("elementwise", "not known", "does not conform"))
