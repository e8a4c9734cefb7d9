"""The course helpers whose conventions differ: which argument `sigmoid_grad` and `sigmoid_prime` take."""
from __future__ import annotations

from ...engine.language.ir import Call, Expr, Var, walk
from ...engine.language.network import Network
from .case import Case


def helper_hint(case: Case) -> str:
    """sigmoid_grad takes the sigmoid's output (CS224n); some books define it on the pre-activation."""
    net = case.evaluation.network
    inputs = sigmoid_inputs(net)
    for name, arg, span in case.reading.helper_uses:
        if name == "sigmoid_grad" and arg is not None and arg in inputs:
            return (f"line {span.line}: the built-in sigmoid_grad takes the sigmoid's OUTPUT (CS224n's "
                    f"convention), but this is the sigmoid's input; if your course defines it on the "
                    "pre-activation (Saito's book does), define it with def")
        if name == "sigmoid_prime" and arg is not None and arg in sigmoid_outputs(net):
            return (f"line {span.line}: sigmoid_prime takes the PRE-activation z (Nielsen's convention), but this "
                    "is the sigmoid's output")
    return ""


def sigmoid_inputs(net: Network) -> list[Expr]:
    out: list[Expr] = []
    for name, expr in net.definitions.items():
        for node in walk(expr):
            if isinstance(node, Call) and node.prim == "sigmoid":
                a = node.args[0]
                out.append(a)
                if isinstance(a, Var) and a.name in net.definitions:
                    out.append(net.definitions[a.name])
    return out


def sigmoid_outputs(net: Network) -> list[Expr]:
    return [Var(name) for name, expr in net.definitions.items() if isinstance(expr, Call) and expr.prim == "sigmoid"]
