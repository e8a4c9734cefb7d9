"""`ask`: a whole question as posted → what was understood, and the answer.

The post's mathematics gives the network (its definitions and shapes) and the asker's derivations;
each derivation is checked like `check` checks one, and a chain of ∂-factors is walked to its break.
What could not be told from the post is assumed, and each assumption says how to say otherwise.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..engine.errors import ParseError, TutorError
from ..engine.language.ir import parse_python
from ..engine.language.network import Network, load, parse_network
from ..judge.result import CheckResult
from .derivation import looks_like_math
from .judged import MathCheck, check_text
from .network import build, gather
from .post import prose_shapes, read_post
from .translate import is_assumption

#: From least to most wrong: the post's verdict is its worst derivation's.
SEVERITY = ("correct", "scaled", "transposed", "wrong_value", "wrong_shape", "shape_error", "unusable")


@dataclass(frozen=True)
class Asked:
    """One of the asker's derivations: the leaf it is about, its text as posted, and its check."""

    wrt: str
    written: str
    check: MathCheck


@dataclass(frozen=True)
class Answer:
    network: Network
    network_source: str
    asked: tuple[Asked, ...]
    assumptions: tuple[str, ...]
    unread: TutorError | None = None   # why nothing in the post could be used (its one check is `unusable`)

    @property
    def verdict(self) -> str:
        if not self.asked:
            return "unusable"
        return max((a.check.result.verdict for a in self.asked), key=SEVERITY.index)

    def to_json(self) -> dict:
        """SPEC §8: the network, what was read, a check --json per derivation, the worst verdict, assumptions."""
        return {"network": {"loss": self.network.loss, "nodes": self.network.nodes_json()},
                "read": {"network": self.network_source,
                         "derivations": ["\n".join(a.check.reading.shown) if a.check.reading is not None
                                         else a.check.result.source for a in self.asked]},
                "checks": [a.check.result.to_json() for a in self.asked],
                "verdict": self.verdict,
                "assumptions": list(self.assumptions)}


def ask(text: str, network: str | None = None, dims: dict[str, int] | None = None,
        wrt: str | None = None) -> Answer:
    """Read a post and answer it. `network` (a .net file or a bundled name) replaces the post's own.
    A post with no derivation that can be used is answered with the verdict `unusable` and the reason;
    raises `TutorError` for a network that cannot be built or a `wrt` that is not one of its leaves."""
    post = read_post(text)
    assumptions: list[str] = []
    chosen = load_network(network) if network is not None else None
    math_net, derivations = gather(post.math, prose_shapes(post.prose), set(chosen.nodes) if chosen else None,
                                   set(chosen.leaves) if chosen else None)
    math_net.convention = post.convention
    net: Network | None
    if chosen is not None:
        net = chosen
        source = net.source
    elif math_net.definitions:
        source, said = build(math_net)
        assumptions.extend(said)
        net = parse_network(source, "<the post's network>")
    else:
        net = from_code(post.code)
        if net is None:
            net = load("default")
            assumptions.append("the post defines no network, so the motivating question's (`default`: x W1 + b1, "
                               "sigmoid, x W2 + b2, softmax, cross-entropy) is assumed; give yours with --network")
        source = net.source
    lines = [line for block in post.code for line in assignments(block)]
    defined = {m.group(1): m.group(2) for m in (re.match(r"(d\w+)\s*=\s*(.+)$", line) for line in lines) if m}
    in_code = code_derivations(lines, net)
    asked: list[Asked] = []
    leaf = wrt or ("W1" if "W1" in net.leaves else next(iter(net.leaves)))
    net.require_leaf(leaf)
    unread: TutorError = ParseError(
        "no derivation found in the post: nothing like \\frac{\\partial J}{\\partial W_1} = …",
        origin="<post>", expected="a gradient written as ∂J/∂W1 = …, δ1 = …, or dW1 = …")
    grouped = group(derivations, net, leaf)
    if any(claimed is None for claimed, _ in grouped):
        assumptions.append(f"a derivation that does not say what it is the gradient of is taken as ∂{net.loss}/∂{leaf}; "
                           "say otherwise with --wrt LEAF")
    jobs = [(claimed or leaf, t, True) for claimed, t in grouped] + [(w, t, False) for w, t in in_code]
    for wrt, text_of, math in jobs:
        try:
            checked = check_text(net, wrt, text_of, dims, origin="<post>", math=math, given=defined)
        except TutorError as error:
            assumptions.append(f"a derivation could not be checked: {error.message}")
            unread = error
            continue
        asked.append(Asked(wrt, text_of, checked))
    nothing = None if asked else unread
    if nothing is not None:  # still an answer (SPEC §5, §8): one check whose verdict is `unusable`, saying why
        unusable = CheckResult.unusable(net, leaf, "", "<post>", net.bindings(dims), nothing.diagnostic)
        asked.append(Asked(leaf, "", MathCheck(unusable, None)))
    for a in asked:
        if a.check.reading is not None:
            assumptions.extend(a.check.reading.notes)
    return Answer(net, source, tuple(asked), tuple(dict.fromkeys(s for s in assumptions if is_assumption(s))),
                  nothing)


def load_network(spec: str) -> Network:
    from .reading import load_any
    return load_any(spec)[0]


def from_code(blocks: list[str]) -> Network | None:
    for block in blocks:
        try:
            return parse_network(block, "<the post's code>")
        except TutorError:
            continue
    return None


#: A traceback's or a listing's margin: `---> 49     `, `     48     `.
MARGIN = re.compile(r"^\s*(?:-*>)?\s*\d+\s{2,}")


def assignments(block: str) -> list[str]:
    """The assignment lines of a code block as posted (a listing's line numbers and arrows taken off),
    only those Python reads as one assignment; nothing is run."""
    import ast
    out = []
    for line in block.splitlines():
        line = MARGIN.sub("", line).strip()
        try:
            tree = parse_python(line)
        except (SyntaxError, ValueError):
            continue
        if len(tree.body) == 1 and isinstance(tree.body[0], ast.Assign):
            out.append(line)
    return out


def code_derivations(lines: list[str], net: Network) -> list[tuple[str, str]]:
    """A post's code: each line `dLEAF = …` is a derivation of that leaf's gradient, with the lines before it."""
    from ..engine.language.table import claimed_node
    out: list[tuple[str, str]] = []
    before: list[str] = []
    for line in lines:
        target = claimed_node(line.split("=", 1)[0].strip(), net.nodes)
        if target in net.leaves:
            out.append((target, "\n".join(before + [line])))
        else:
            before.append(line)
    return out


def chained_gradients(sides, names) -> set[str]:
    """The nodes whose loss gradient is a factor of a chain written on these sides (z2 for ∂J/∂z2 · …)."""
    from .derivation import claim, partials
    from .grammar import Grammar
    out: set[str] = set()
    for side in sides:
        try:
            tree = Grammar(list(side), names.known).whole(list(side))
        except TutorError:
            continue
        for p in partials(tree):
            try:
                target, _, factor = claim(p, names)
            except TutorError:
                continue
            if factor is None and target is not None:
                out.add(target)
    return out


def group(derivations: list[tuple[str, str]], net: Network, leaf: str) -> list[tuple[str | None, str]]:
    """The post's derivation statements → one derivation per claim about a leaf, each with the
    statements about inner nodes (∂J/∂z2 = ŷ − y, δ1 = …, ∂z2/∂h = W2ᵀ) written before it."""
    from .derivation import claim, statements
    from .grammar import Grammar
    from .tokens import tokenize
    from .judged import leaf_below, names_with_truth
    names = names_with_truth(net)
    out: list[tuple[str | None, str]] = []
    inner: list[str] = []
    last_target: str | None = None
    pending = False
    trailing: list[str] = []
    last_claim = ""
    in_chain: set[str] = set()   # the nodes the last chain's factors take the loss's gradient at (∂J/∂z2)
    lhs = None
    for written, _ in derivations:
        factor = False
        chained: set[str] = set()
        try:
            tokens = tokenize(written, "<post>")
            found = statements(tokens, len(written))
            lhs = Grammar(list(found[0].sides[0]), names.known).whole(list(found[0].sides[0])) \
                if found and len(found[0].sides) > 1 else None
            target, _, factor_of = claim(lhs, names) if lhs is not None else (None, None, None)
            factor = factor_of is not None
            chained = chained_gradients(found[0].sides[1:], names) if found and target in net.leaves else set()
        except TutorError:
            target = None
        if target in net.leaves:
            out.append((target, "\n".join(inner + [written])))
            last_claim = written
            pending = False
            trailing = []
            in_chain = chained
        elif lhs is not None and lhs.kind == "partial" and target in in_chain and out:
            trailing.append(written)   # ∂J/∂z2 = ŷ − y after a chain that has ∂J/∂z2: what that factor is
            inner.append(written)
        else:
            inner.append(written)
            trailing.append(written)
            pending = pending or not factor   # a factor's value (∂z2/∂h = W2ᵀ) is not an answer of its own
        last_target = target if not factor else last_target
    if trailing and not pending and out:   # ∂z2/∂h = W2ᵀ said after the chain: what its factors are taken to be
        claimed, text = out[-1]   # said before the chain, so that the chain stays the answer
        head = text[:len(text) - len(last_claim)]
        out[-1] = (claimed, "\n".join(x for x in [head.rstrip("\n"), *trailing, last_claim] if x))
    if inner and pending:
        # statements after the last claim about a leaf: their own answer, carried on to a leaf if they end
        # with a claim about an inner node (δ1 = …)
        below = leaf_below(net, last_target) if last_target in net.definitions else None
        out.append((below, "\n".join(inner)))
    return out
