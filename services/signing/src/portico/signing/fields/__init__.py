"""A template's fields: their types, places, conditions and formulas (pure logic, no I/O)."""
