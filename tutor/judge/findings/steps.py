"""What a claimed step holds when it is not what it claims, and the right line for it."""
from __future__ import annotations

import numpy as np

from ...engine.language.dims import format_shape
from ...engine.calculus.grad import backward
from ...engine.language.ir import Var
from ...engine.language.network import Network
from ...engine.language.printer import code_or_none
from .. import scale
from ..evaluate import close, truth_of
from ..result import JudgedStep
from .case import Case
from .concepts import constant_cause


def describe(case: Case, step: JudgedStep) -> str:
    """What a false step holds, in the learner's terms: a multiple, a transpose, another node's gradient."""
    ev = case.evaluation
    samples = ev.samples
    values = [d.learner[step.var] for d in samples]
    f = case.scales.step(step)
    if f is not None:
        named = constant_cause(ev.network, f.value) if not f.symbolic else ""
        if named:
            return f"is {f.value:.6g}·∂J/∂{step.claims}: {named}"
        return f"is {scale.multiple(f)}∂J/∂{step.claims}" + scale.convention(f)
    if all(np.ndim(v) == 2 and close(np.transpose(v), truth_of(d, step.claims), d.reference)
           for v, d in zip(values, samples)):
        return f"is the transpose of ∂J/∂{step.claims}"
    net = ev.network
    for other in net.nodes:
        if other != step.claims and other not in net.labels and net.shapes[other] == step.shape \
                and all(close(v, truth_of(d, other), d.reference) for v, d in zip(values, samples)) \
                and any(np.any(np.asarray(truth_of(d, other)) != 0) for d in samples):
            return f"holds ∂J/∂{other}, not ∂J/∂{step.claims}"
    if not step.shape_ok and step.shape is not None:
        return (f"is {format_shape(step.shape)}, but ∂J/∂{step.claims} has {step.claims}'s shape "
                f"{format_shape(net.shapes[step.claims])}")
    return ""


def right_line(case: Case, step: JudgedStep) -> str:
    """∂J/∂claims, written from the learner's last correct step before this one if possible."""
    ev = case.evaluation
    net = ev.network
    earlier = [s for s in ev.steps if s.value_ok and s.statement < step.statement and s.name != step.name]
    for good in reversed(earlier):
        g = backward(net, seeds={good.claims: Var(good.name, shape=net.shapes[good.claims])}).wrt.get(step.claims)
        if g is not None and dominates(net, good.claims, step.claims):
            text = code_or_none(g)
            return f"{step.name} = {text}" if text else ""
    g = backward(net).wrt.get(step.claims)
    text = code_or_none(g) if g is not None else None
    return f"{step.name} = {text}" if text else ""


def dominates(net: Network, upper: str, lower: str) -> bool:
    """Every path from the loss to `lower` passes through `upper`."""
    if upper == lower:
        return True
    if upper not in net.descendants(lower):
        return False
    alive = {lower}  # what depends on `lower` without going through `upper`
    for name, used in net.reads.items():
        if name != upper and not alive.isdisjoint(used):
            alive.add(name)
    return net.loss not in alive
