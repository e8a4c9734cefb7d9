"""A learner's homework file, read as submitted (SPEC §7): found, flattened, judged.

`reader` reads the file statically (nothing in it is imported or run) into straight-line code;
`build` turns that into a network and one derivation per gradient; `judge` checks each with the
judge's `check` and points every diagnostic back into the file.
"""
