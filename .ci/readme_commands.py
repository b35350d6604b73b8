"""Print the shell commands of the README's Quick start, one per line.

CI runs exactly these, so the README and CI cannot drift apart: the first ``bash``
block of the section runs the main job, the second installs the test dependencies
and runs the tests.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path


def quick_start_commands(readme: str) -> list[str]:
    """The commands of the ``bash`` blocks under ``## Quick start``."""
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.DOTALL)
    return [" ".join(block.split()) for block in blocks]


if __name__ == "__main__":
    for command in quick_start_commands(Path(sys.argv[1]).read_text(encoding="utf-8")):
        print(command)
