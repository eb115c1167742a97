"""Pipfile.lock as a requirements file with hashes, for ``uv pip sync --require-hashes`` (scripts/setup).

Every locked package of ``default``, at its locked version, with its markers and every hash the lock
allows, except the project itself (a ``path`` entry), which setup installs editable on its own. The lock
stays the one source of the pins: this only changes the tool that installs them.

    python scripts/locked_requirements.py [Pipfile.lock] > requirements.txt
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def requirement_lines(lock: dict[str, Any]) -> list[str]:
    lines = []
    for name, pin in sorted(lock["default"].items()):
        if "path" in pin:
            continue
        if not pin.get("version") or not pin.get("hashes"):
            raise ValueError(f"Pipfile.lock: {name} has no pinned version with hashes: run pipenv lock")
        marker = f" ; {pin['markers']}" if pin.get("markers") else ""
        hashes = " ".join(f"--hash={digest}" for digest in pin["hashes"])
        lines.append(f"{name}{pin['version']}{marker} {hashes}")
    return lines


def main(argv: list[str]) -> None:
    path = Path(argv[0] if argv else "Pipfile.lock")
    print("\n".join(requirement_lines(json.loads(path.read_text()))))


if __name__ == "__main__":
    main(sys.argv[1:])
