"""A loss written as a layer: `forward(A, Y)` returns the loss, `backward()` its gradient with respect to A.

CMU 11-785's mytorch (`MSELoss`, `CrossEntropyLoss`) and many course frameworks keep what backward needs on the
object (`self.A`, `self.softmax`) and take no upstream gradient: the loss is the network's end. Its forward is
called with the scores and the targets (their shapes from the docstrings, `:param A: ... of shape (N, C)`), its
backward with nothing, and what backward returns is judged as the gradient of the scores. A loss kept as a 1×1
array (`ones((1, N)) @ se @ ones((C, 1))`) is summed to its one number.
"""
from __future__ import annotations

from ..engine.errors import TutorError
from .docstrings import stated_shapes
from .drivers import call_with, construct, fresh_size, shape_of
from .entry import EntryReading, Gradient, returned_node
from .reader import Reader
from .values import Func, Ref, found_method


def loss_layer_driver(reader: Reader, name: str) -> EntryReading:
    cls_name = name.split(".")[0]
    cls = reader.classes[cls_name]
    obj = construct(reader, cls_name)
    forward = Func(found_method(cls, "forward", reader.classes), obj)
    backward = Func(found_method(cls, "backward", reader.classes), obj)
    made: dict = {}
    stated = stated_shapes(forward.node, cls, source=reader.file_source)
    scores_arg, targets_arg = [a.arg for a in forward.node.args.args][1:3]
    said = stated.get(targets_arg)
    cross_entropy = "crossentropy" in cls_name.lower().replace("_", "")
    if cross_entropy and said is not None and said.shape and \
            stated.get(scores_arg) is not None and stated[scores_arg].shape == said.shape and not said.labels:
        # a cross-entropy's targets of the scores' own shape: one class per example, one-hot, as the course gives them
        made[targets_arg] = reader.leaf(targets_arg, shape_of(reader, said.shape), forward.node, role="data",
                                        kind="onehot")
    if stated.get(scores_arg) is None and said is None and reader.guess_shapes:
        # nothing says either shape: a loss compares each score with its target, so both are one N×C array
        # (read apart, the scores' made-up sizes would be taken for a parameter's, broadcast over the targets)
        rows, classes = fresh_size(reader, "N"), fresh_size(reader, "C")
        for arg, kind in ((scores_arg, "float"), (targets_arg, "onehot" if cross_entropy else "float")):
            made[arg] = reader.leaf(arg, [rows, classes], forward.node, role="data", kind=kind)
            reader.guessed.append(made[arg].ident)
    if targets_arg in made and reader.leaves[made[targets_arg].ident].kind == "onehot":
        reader.notes.append(f"{cls_name}'s targets {targets_arg} are read as one-hot rows, one class per example")
    loss = call_with(reader, forward, made, stated, forward.node)
    if isinstance(loss, tuple) and loss:
        loss = loss[0]
    if not isinstance(loss, Ref):
        raise TutorError(f"{cls_name}.forward returns no loss that can be read", origin=reader.origin,
                         expected="return the loss computed from the scores and the targets")
    returned = reader.call(backward, [], {}, backward.node)
    scores = made.get([a.arg for a in forward.node.args.args][1])
    if not (isinstance(returned, Ref) and isinstance(scores, Ref)):
        raise TutorError(f"{cls_name}.backward returns no gradient that can be read", origin=reader.origin,
                         expected="return dLdA, the gradient of the loss with respect to the scores")
    key = f"{cls_name}.{reader.leaves[scores.ident].key}"
    total = reader.fresh("L")
    return EntryReading(reader, f"{cls_name}.forward/{cls_name}.backward", Ref(total),
                        [Gradient(key, scores.ident, returned, returned_node(backward.node))],
                        notes=list(reader.notes), loss_text=f"{total} = np.sum({loss.ident})")
