"""The run history: every recorded run of ``solve`` and ``check`` in one SQLite file.

``store`` (the database: WAL, busy timeout, ``user_version`` migrations, one
transaction per run), ``record`` (what a run row holds, the canonical scenario and
its SHA-256) and ``diff`` (what changed between two runs, by field path).
"""
