"""Mathematics as people write it: LaTeX, Unicode and typed math read into the language (SPEC §8)."""
