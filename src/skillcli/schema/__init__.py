"""Column vocabulary, parsing and validation of the three sheet kinds."""
