"""JSON as the commands print it: `json.dumps(data, indent=2)`, byte for byte, in time that grows with
the distinct parts of the data rather than with the text.

The standard library writes indented JSON in pure Python, one piece at a time, and writes an object
referred to from many places (a chain factor in the chain of every leaf below it) again each time.
Here each container is written once per indentation level and its text reused wherever it appears;
strings, the bulk of the bytes, are escaped by the standard library's C function.
"""
from __future__ import annotations

from json.encoder import encode_basestring_ascii

INDENT = "  "


def indented(data: object) -> str:
    """`json.dumps(data, indent=2)`: the same text, the same errors for what JSON cannot hold."""
    written: list[dict[int, str]] = []  # per indentation level: id of a container → its text there
    kept: list[object] = []             # every container written, alive until the end: no id is reused

    def value(obj: object, level: int) -> str:
        if isinstance(obj, str):
            return encode_basestring_ascii(obj)
        if obj is None:
            return "null"
        if obj is True:
            return "true"
        if obj is False:
            return "false"
        if isinstance(obj, int):
            return int.__repr__(obj)
        if isinstance(obj, float):
            return number(obj)
        if isinstance(obj, (list, tuple, dict)):
            seen = known(level)
            text = seen.get(id(obj))
            if text is None:
                text = seen[id(obj)] = dictionary(obj, level) if isinstance(obj, dict) else array(obj, level)
                kept.append(obj)
            return text
        raise TypeError(f"Object of type {obj.__class__.__name__} is not JSON serializable")

    def known(level: int) -> dict[int, str]:
        while len(written) <= level:
            written.append({})
        return written[level]

    # Each container's text is made by one join: a large text copied again by every `+` would cost
    # more than writing it.
    def array(items: list | tuple, level: int) -> str:
        if not items:
            return "[]"
        inner, seen = "\n" + INDENT * (level + 1), known(level + 1)
        # a text already written is looked up here, without a call: long lists repeat shared entries
        pieces = ["[", inner, ("," + inner).join([seen.get(id(item)) or value(item, level + 1) for item in items]),
                  "\n", INDENT * level, "]"]
        return "".join(pieces)

    def dictionary(entries: dict, level: int) -> str:
        if not entries:
            return "{}"
        pieces = ["{"]
        separator = "\n" + INDENT * (level + 1)
        for k, v in entries.items():
            pieces += (separator, key(k), ": ", value(v, level + 1))
            separator = "," + separator if separator[0] == "\n" else separator
        pieces += ("\n", INDENT * level, "}")
        return "".join(pieces)

    # The outer levels (a document, its `gradients`, each leaf's entry) are written straight into one list
    # of pieces joined once at the end: their texts are the whole document, and making each of them a
    # string of its own would copy every byte again at every level.
    out: list[str] = []

    def outer(obj: object, level: int) -> None:
        if level >= OUTER or not isinstance(obj, (list, tuple, dict)) or not obj:
            out.append(value(obj, level))
            return
        separator = "\n" + INDENT * (level + 1)
        out.append("{" if isinstance(obj, dict) else "[")
        for entry in obj.items() if isinstance(obj, dict) else obj:
            out.append(separator)
            if isinstance(obj, dict):
                out.extend((key(entry[0]), ": "))
                entry = entry[1]
            outer(entry, level + 1)
            separator = "," + separator if separator[0] == "\n" else separator
        out.extend(("\n", INDENT * level, "}" if isinstance(obj, dict) else "]"))

    outer(data, 0)
    return "".join(out)


#: How many levels of a document are written as pieces of the whole rather than as texts of their own.
OUTER = 3


def key(k: object) -> str:
    """A dictionary key as `json` writes it: a string, or a number or constant written as one."""
    if isinstance(k, str):
        return encode_basestring_ascii(k)
    if isinstance(k, float):
        return encode_basestring_ascii(number(k))
    if k is True:
        return '"true"'
    if k is False:
        return '"false"'
    if k is None:
        return '"null"'
    if isinstance(k, int):
        return encode_basestring_ascii(int.__repr__(k))
    raise TypeError(f"keys must be str, int, float, bool or None, not {k.__class__.__name__}")


def number(x: float) -> str:
    if x != x:
        return "NaN"
    if x == float("inf"):
        return "Infinity"
    if x == -float("inf"):
        return "-Infinity"
    return float.__repr__(x)
