"""`ask`: a whole question as posted → what was understood, and the answer.

The post's mathematics gives the network (its definitions and shapes) and the asker's derivations;
each derivation is checked like `check` checks one, and a chain of ∂-factors is walked to its break.
What could not be told from the post is assumed, and each assumption says how to say otherwise.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..engine.errors import ParseError, TutorError
from ..engine.language.ir import parse_python
from ..engine.language.network import Network, load, parse_network
from ..judge.result import CheckResult
from .grammar import M
from .judged import MathCheck, check_code, check_text
from .network import MathNetwork, gather
from .placed import column_in, find_in_post, network_in_post
from .plain import x_as_times
from .post import prose_shapes, read_post
from .translate import is_assumption
from .unread import refuse_macro_definitions, unread_definitions

#: From least to most wrong: the post's verdict is its worst derivation's. A derivation that could not be read
#: says nothing wrong of the others, so it ranks below every wrong one (and above a correct one: the post is
#: not all correct while one of its derivations is unread).
SEVERITY = ("correct", "unusable", "scaled", "transposed", "wrong_value", "wrong_shape", "shape_error")


@dataclass(frozen=True)
class Asked:
    """One of the asker's derivations: the leaf it is about, its text as posted, and its check."""

    wrt: str
    written: str
    check: MathCheck
    read: str = ""   # the text as read, when the check's source is the post itself (an error located in it)


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

    @property
    def exit_code(self) -> int:
        """`check`'s: 0 every derivation correct, 2 nothing in the post could be used, 1 otherwise (a wrong
        one, or one that could not be read beside others that were judged)."""
        if all(a.check.result.verdict == "unusable" for a in self.asked):
            return 2
        return 0 if self.verdict == "correct" else 1

    def to_json(self) -> dict:
        """SPEC §8: the network, what was read, a check --json per derivation, the worst verdict, assumptions."""
        return {"network": {"loss": self.network.loss, "nodes": self.network.nodes_json()},
                "read": {"network": self.network_source,
                         "derivations": ["\n".join(a.check.reading.shown) if a.check.reading is not None
                                         else a.read or a.check.result.source for a in self.asked]},
                "checks": [a.check.result.to_json() for a in self.asked],
                "verdict": self.verdict,
                "assumptions": list(self.assumptions)}


def ask(text: str, network: str | None = None, dims: dict[str, int] | None = None,
        wrt: str | None = None) -> Answer:
    """Read a post and answer it. `network` (a .net file or a bundled name) replaces the post's own.
    A post with no derivation that can be used is answered with the verdict `unusable` and the reason;
    raises `TutorError` for a network that cannot be built or a `wrt` that is not one of its leaves."""
    from .aliases import function_aliases, layered_superscripts, primed_names, reading_aliases
    from .formulas import written_out
    from .indexed import by_index
    from .layers import numbered_layers
    from .symbols import plain_letters
    text = plain_letters(text)   # 𝑑𝑤[𝑙] is dw[l] and δJ/δW1 is ∂J/∂W1: one character for one, located alike
    post = read_post(text)
    refuse_macro_definitions(post.math, text)
    as_posted = list(post.math)
    post.math = [written_out(m) for m in post.math]   # softmax and σ written out by their formulas
    layers = numbered_layers(post.math, post.prose, last_layer(network))   # w^L, a^{l-1}: layers named by letters
    math, by_entries = by_index(layers.math)   # z_j = \sum_k w_{jk} x_k + b_j: a network written by index
    post.math = x_as_times(math, set(prose_shapes(post.prose)) | declared_names(math))
    post.typed = [as_posted[i] if i is not None else None for i in layers.origin]   # to show derivations as typed
    with reading_aliases(function_aliases(post.math, post.prose), layers.found or layered_superscripts(post.math),
                         gradient_letters(post.math), primed_names(post.prose)):
        answered = answer(post, network, dims, wrt, text)
    said = tuple(layers.said) + tuple(by_entries)
    return replace(answered, assumptions=said + answered.assumptions) if said else answered


def last_layer(network: str | None) -> int | None:
    """The highest layer a network given beside the post numbers its names with (w2, z2 → 2), or None."""
    if network is None:
        return None
    try:
        names = load_network(network).nodes
    except TutorError:
        return None
    numbers = [int(m.group(1)) for name in names if (m := re.fullmatch(r"[A-Za-z]+_?(\d)", name))]
    return max(numbers) if numbers else None


def declared_names(math: list[str]) -> set[str]:
    """The names the post's mathematics gives a shape (`W1 \\in \\mathbb{R}^{…}`), as typed."""
    return {m.group(1) for text in math for m in re.finditer(r"(?<![\w\\])([A-Za-z]\w*)\s*(?:\\in\b|∈)", text)}


def gradient_letters(math: list[str]) -> dict[str, str]:
    """The post's δs that it says are the loss's gradient at a node: `∂J/∂z2 = ŷ − y = δ1`, `δ1 = ∂J/∂z2`
    (δ1 → z2). A δ the post does not define this way keeps its usual reading (δ1 = ∂J/∂z1)."""
    from .derivation import statements
    from .grammar import Grammar
    from .tokens import tokenize
    out: dict[str, str] = {}
    for text in math:
        if "delta" not in text.lower() and "δ" not in text and "Δ" not in text and not re.match(r"\s*g\s*=", text):
            continue
        try:
            found = statements(tokenize(text, "<post>"), len(text))
        except TutorError:
            continue
        for statement in found:
            trees: list[M | None] = []
            for side in statement.sides:
                try:
                    trees.append(Grammar(list(side), lambda n: False).whole(list(side)))
                except TutorError:
                    trees.append(None)
            deltas = [t.value for t in trees if t is not None and t.kind == "name"
                      and (str(t.value).startswith(("delta", "Delta")) or t.value in GRADIENT_LETTERS)]
            nodes = [t.args[1] for t in trees if t is not None and t.kind == "partial" and t.args[1].kind == "name"
                     and t.args[0].kind == "name" and str(t.args[0].value) in LOSS_LETTERS]
            if len(deltas) == 1 and len(nodes) == 1:
                out.setdefault(str(deltas[0]), str(nodes[0].value))
    return out


#: Letters beside δ that texts give the loss's gradient at a node: the Deep Learning book's g ← ∇_{a^{(k)}} J.
GRADIENT_LETTERS = ("g",)

#: How posts name the loss whose gradient a δ is.
LOSS_LETTERS = ("J", "L", "E", "C", "l", "loss", "cost", "Loss")


def answer(post, network: str | None, dims: dict[str, int] | None, wrt: str | None, text: str) -> Answer:
    """`ask` on a post already taken apart."""
    assumptions: list[str] = []
    chosen = load_network(network) if network is not None else None
    math_net, derivations = gather(post.math, prose_shapes(post.prose), set(chosen.nodes) if chosen else None,
                                   set(chosen.leaves) if chosen else None, post.typed)
    math_net.convention = post.convention
    assumptions.extend(math_net.working)
    net: Network | None
    assumed_default = False
    if chosen is not None:
        net = chosen
        source = net.source
    elif math_net.definitions or math_net.unread:
        assumptions.extend(unread_definitions(math_net, text))
        net, source, said = network_in_post(math_net, text)
        assumptions.extend(said)
    else:
        net = from_code(post.code)
        if net is None:
            net = load("default")
            assumed_default = True
            assumptions.append("the post defines no network, so the motivating question's (`default`: x W1 + b1, "
                               "sigmoid, x W2 + b2, softmax, cross-entropy) is assumed; give yours with --network")
        source = net.source
    lines = [line for block in post.code for line in assignments(block)]
    defined = {m.group(1): m.group(2) for m in (re.match(r"(d\w+)\s*=\s*(.+)$", line) for line in lines) if m}
    in_code = code_derivations(lines, net)
    asked: list[Asked] = []
    leaf = wrt or default_leaf(net, math_net)
    if assumed_default:
        not_default(math_net, derivations, net)
    net.require_leaf(leaf)
    unread: TutorError = ParseError(
        "no derivation found in the post: nothing like \\frac{\\partial J}{\\partial W_1} = …",
        origin="<post>", expected="a gradient written as ∂J/∂W1 = …, δ1 = …, or dW1 = …")
    grouped = group(derivations, net, leaf)
    if any(claimed is None for claimed, _, _ in grouped):
        assumptions.append(f"a derivation that does not say what it is the gradient of is taken as ∂{net.loss}/∂{leaf}; "
                           "say otherwise with --wrt LEAF")
    jobs = [(claimed or leaf, t, typed, True) for claimed, t, typed in grouped] + \
        [(w, t, t, False) for w, t in in_code]
    for wrt, text_of, typed, math in jobs:
        try:
            if math:
                checked = check_text(net, wrt, text_of, dims, origin="<post>", math=math, given=defined)
            else:   # code: a course's gradient it reads but never computes (dZ1) is taken as given, and said
                checked, said_of_code = check_code(net, wrt, text_of, dims, origin="<post>", given=defined)
                assumptions.extend(said_of_code)
        except TutorError as error:
            assumptions.append(f"a derivation could not be checked: {error.message}")
            unread = error
            continue
        asked.append(in_post(Asked(wrt, typed, checked), text_of, text))
    nothing = None if asked else unread
    if nothing is not None:  # still an answer (SPEC §5, §8): one check whose verdict is `unusable`, saying why
        unusable = CheckResult.unusable(net, leaf, "", "<post>", net.bindings(dims), nothing.diagnostic)
        asked.append(Asked(leaf, "", MathCheck(unusable, None)))
    for a in asked:
        if a.check.reading is not None:
            assumptions.extend(a.check.reading.notes)
    return Answer(net, source, tuple(asked), tuple(dict.fromkeys(s for s in assumptions if is_assumption(s))),
                  nothing)


def default_leaf(net: Network, math_net: MathNetwork) -> str:
    """The leaf a derivation that does not say its own is about: the one the post asks for alone (∇_w J(w)),
    else W1, else the first weight-like leaf (W, w, θ), else the first leaf."""
    names = [n for n in math_net.wanted if n in net.leaves]
    if names:
        return names[0]
    if "W1" in net.leaves:
        return "W1"
    return next((n for n in net.leaves if n[:1] in "Ww" or n.startswith(("theta", "Theta"))), next(iter(net.leaves)))


def in_post(asked: Asked, read: str, post: str) -> Asked:
    """A derivation's errors located in the post (its line, and the column there) rather than in the
    derivation's own text, which numbers its lines from 1: the check then shows the post's line."""
    from dataclasses import replace
    result = asked.check.result
    located = tuple(post_located(d, read, asked.written, post) for d in result.diagnostics)
    unplaced = any(new is old and old.span is not None and old.origin == "<post>"
                   for old, new in zip(result.diagnostics, located))
    if located == result.diagnostics or unplaced:   # all of them in the post, or none: one source for the view
        return asked
    moved = replace(result, diagnostics=located, source=post)
    return replace(asked, check=replace(asked.check, result=moved), read=result.source)


def post_located(d, read: str, typed: str, post: str):
    """One diagnostic of a derivation read from the post, moved to where its line stands in the post."""
    from dataclasses import replace
    from ..engine.diagnostics import source_lines
    if d.span is None or d.origin != "<post>":
        return d
    lines, typed_lines = source_lines(read), source_lines(typed)
    if not 0 < d.span.line <= len(lines):
        return d
    line = lines[d.span.line - 1]
    typed_line = typed_lines[d.span.line - 1] if len(typed_lines) == len(lines) else line
    place = find_in_post(typed_line, post) or find_in_post(line, post)
    if place is None:
        return d
    row, start, written = place
    column = column_in(written, line, start)
    span = replace(d.span, line=row, col=column(d.span.col), end_col=column(d.span.end_col), end_line=None)
    caret = d.caret
    if caret is not None and caret.line == d.span.line:
        caret = replace(caret, line=row, col=column(caret.col), end_col=column(caret.end_col), end_line=None)
    labels = tuple(replace(label, span=replace(label.span, line=row, col=column(label.span.col),
                                               end_col=column(label.span.end_col), end_line=None))
                   for label in d.labels if label.span.line == d.span.line)
    return replace(d, span=span, caret=caret, labels=labels)


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


def group(derivations: list[tuple[str, str, str]], net: Network,
          leaf: str) -> list[tuple[str | None, str, str]]:
    """The post's derivation statements → one derivation per claim about a leaf, each with the
    statements about inner nodes (∂J/∂z2 = ŷ − y, δ1 = …, ∂z2/∂h = W2ᵀ) written before it."""
    from .derivation import claim, statements
    from .grammar import Grammar
    from .tokens import tokenize
    from .judged import names_with_truth
    names = names_with_truth(net)
    out: list[tuple[str | None, str, str]] = []
    inner: list[str] = []
    typed_inner: list[str] = []   # the same statements as the asker typed them
    inner_targets: list[str] = []   # the inner nodes those statements give a value for
    last_target: str | None = None
    pending = False
    trailing: list[str] = []
    typed_trailing: list[str] = []
    last_claim = typed_claim = ""
    in_chain: set[str] = set()   # the nodes the last chain's factors take the loss's gradient at (∂J/∂z2)
    lhs = None
    for written, _, typed in derivations:
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
            out.append((target, "\n".join(inner + [written]), "\n".join(typed_inner + [typed])))
            last_claim, typed_claim = written, typed
            pending = False
            trailing, typed_trailing = [], []
            in_chain = chained
        elif lhs is not None and lhs.kind == "partial" and target in in_chain and out:
            trailing.append(written)   # ∂J/∂z2 = ŷ − y after a chain that has ∂J/∂z2: what that factor is
            typed_trailing.append(typed)
            inner.append(written)
            typed_inner.append(typed)
        else:
            if target is not None and not factor and target in inner_targets and pending:
                # a second value for the same node (`delta2 = …` then `delta2 = …`): another answer, not a step
                below = carried_to(net, last_target, leaf)
                out.append((below, "\n".join(inner), "\n".join(typed_inner)))
                inner, typed_inner, trailing, typed_trailing, inner_targets = [], [], [], [], []
                pending = False
            inner.append(written)
            typed_inner.append(typed)
            trailing.append(written)
            typed_trailing.append(typed)
            if target is not None and not factor:
                inner_targets.append(target)
            pending = pending or not factor   # a factor's value (∂z2/∂h = W2ᵀ) is not an answer of its own
        last_target = target if not factor else last_target
    if trailing and not pending and out:   # ∂z2/∂h = W2ᵀ said after the chain: what its factors are taken to be
        claimed, text, typed_text = out[-1]   # said before the chain, so that the chain stays the answer
        head = text[:len(text) - len(last_claim)]
        typed_head = typed_text[:len(typed_text) - len(typed_claim)]
        out[-1] = (claimed, "\n".join(x for x in [head.rstrip("\n"), *trailing, last_claim] if x),
                   "\n".join(x for x in [typed_head.rstrip("\n"), *typed_trailing, typed_claim] if x))
    if inner and pending:
        # statements after the last claim about a leaf: their own answer, carried on to a leaf if they end
        # with a claim about an inner node (δ1 = …)
        below = carried_to(net, last_target, leaf)
        out.append((below, "\n".join(inner), "\n".join(typed_inner)))
    return out


def carried_to(net: Network, node: str | None, leaf: str) -> str | None:
    """The leaf a claim about an inner node is carried on to: the one the post asks about when the node reads it
    (∂CE/∂β carried on to y where the post asks for ∂CE/∂y and β = Aᵀy), else a weight the node reads."""
    from .judged import leaf_below
    if node not in net.definitions:
        return None
    return leaf if leaf in net.reads.get(node, ()) else leaf_below(net, node)


def not_default(math_net: MathNetwork, derivations: list[tuple[str, str, str]], net: Network) -> None:
    """A post that defines no network is asked against the default one only when what it says fits that
    network: a shape declared for a name the default network lacks, or a derivation about one, means the
    post's own network could not be read, and that is said rather than judged against another network."""
    from .derivation import statements
    from .grammar import Grammar
    from .judged import names_with_truth
    from .network import names_in
    from .tokens import tokenize
    names = names_with_truth(net)
    foreign = [n for n in math_net.declared if n not in net.nodes and n not in net.dims]
    for written, _, _ in derivations:
        try:
            found = statements(tokenize(written, "<post>"), len(written))
            side = list(found[0].sides[0]) if found and len(found[0].sides) > 1 else []
            lhs = Grammar(side, names.known, source=written).whole(side) if side else None
        except TutorError:
            continue
        wrt = lhs.args[1] if lhs is not None and lhs.kind == "partial" else None
        if wrt is not None and wrt.kind == "name" and names.resolve(str(wrt.value)) is None \
                and wrt.value != "<output>":
            foreign.append(str(wrt.value))
        course = str(lhs.value) if lhs is not None and lhs.kind == "name" else ""
        if re.fullmatch(r"d[A-Za-z]\d+", course) and found:   # dZ[2] = A[2] - Y: the names of its value too
            for value_side in found[0].sides[1:]:
                try:
                    value = Grammar(list(value_side), names.known, source=written).whole(list(value_side))
                except TutorError:
                    continue
                foreign.extend(n for n in sorted(names_in(value)) if names.resolve(n) is None and len(n) > 1)
    if foreign:
        declared = ", ".join(f"{n} {'×'.join(map(str, s))}" for n, s in math_net.declared.items())
        raise ParseError(
            "the post's own network could not be read: it has no definitions such as z_1 = x W_1 + b_1 "
            f"(read: {'shapes of ' + declared if declared else 'no definitions and no shapes'}), and it speaks of "
            f"{', '.join(dict.fromkeys(foreign))}, which the default network does not have; it is not judged against "
            "another network", origin="<post>",
            expected="the network's definitions in the post (an align block), or --network FILE")
