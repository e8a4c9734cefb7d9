"""The learner's own names on the values they see.

The reader gives each new value of a name a name of its own in reading order (`cost`, then `cost_2` for
`cost = np.squeeze(cost)`). The network language does it the other way round: the last value of a name
is the name itself and the earlier ones are numbered (`cost_1`, then `cost`). This pass renames the
flattened code to that convention, so the loss a learner reads is `∂cost/∂W1` and every value is called
what the file calls it when it is done (a leaf keeps its name: what was declared stays declared).
"""
from __future__ import annotations

import re
from dataclasses import replace

from .entry import EntryReading, Gradient
from .values import Ref, claims_one_of


def renaming(reading: EntryReading) -> dict[str, str]:
    """ident → new ident, for every name that the file assigns more than once."""
    reader = reading.reader
    groups: dict[str, list[str]] = {}
    for e in reader.emitted:
        if e.kind not in ("new", "alias"):
            continue
        base = reader.bases.get(e.ident)
        if base is None:
            continue
        members = groups.setdefault(base, [])
        if e.ident not in members:
            members.append(e.ident)
    taken = set(reader.used) | set(reader.leaves) | set(reader.dims)
    mapping: dict[str, str] = {}
    for base, members in groups.items():
        if len(members) < 2 or members[-1] == base or base in reader.leaves or base not in members \
                or base in reader.dims:  # `m = X.shape[0]` where the cost named its m a size: m_2 stays m_2
            continue
        mine = set(members)
        free = taken - mine
        # `dout` reassigned in a loop beside `out`: dout_2 would claim out_2 by the numbering alone
        form = "{}{}" if claims_one_of(base, set(groups) | set(reader.leaves)) else "{}_{}"
        names, i = [], 1
        for _ in members[:-1]:
            while form.format(base, i) in free:
                i += 1
            names.append(form.format(base, i))
            i += 1
        names.append(base)
        mapping.update((old, new) for old, new in zip(members, names) if old != new)
    return mapping


def with_learners_names(reading: EntryReading) -> EntryReading:
    """The reading with each name's last value under the learner's name (the reader's state renamed in place)."""
    mapping = renaming(reading)
    if not mapping:
        return reading
    reader = reading.reader
    word = re.compile(r"(?<![.\w])(" + "|".join(map(re.escape, sorted(mapping, key=len, reverse=True))) + r")\b")

    def text(s: str) -> str:
        return word.sub(lambda m: mapping[m.group(1)], s)

    def ref(r: Ref | None) -> Ref | None:
        return Ref(mapping.get(r.ident, r.ident)) if r is not None else None

    for e in reader.emitted:
        e.ident = mapping.get(e.ident, e.ident)
        e.repl = {k: (node, text(t) if isinstance(t, str) else t) for k, (node, t) in e.repl.items()}
    reader.used = {mapping.get(n, n) for n in reader.used} | set(mapping.values())
    reader.bases = {mapping.get(n, n): b for n, b in reader.bases.items()}
    loss = ref(reading.loss)
    assert loss is not None
    gradients = [Gradient(g.key, g.leaf, ref(g.answer) or g.answer, g.node) for g in reading.gradients]
    return replace(reading, loss=loss, output=ref(reading.output), gradients=gradients,
                   loss_text=text(reading.loss_text) if reading.loss_text is not None else None)
