"""Stage 1, the scenario: the schema, its rules across fields, overrides, profiles,
and loading files."""
