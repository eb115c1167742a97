"""What the emulator needs installed: the ``local`` extra (``pip install 'portal-ha[local]'``: moto's server and
werkzeug), with moto at the version the extensions are tested with.

The extensions replace moto internals (``extensions.patch``), which moto may change in any release. A patch
whose target moved fails at start by itself; what this module adds is a check of the installed version, cheap
enough to run before the server process is even started (no import of moto):

- the tested version: nothing to say;
- another release of the same minor version (moto 5.2.x): a warning, and the emulator runs. moto's patch
  releases fix and add calls without moving its internals; refusing would stop every ``--local`` command of a
  user whose moto a resolver moved, where the strict patches already catch what a release did move;
- another minor or major version: refused, naming both versions and the command that installs the tested one.
  ``PORTAL_HA_EMULATOR_UNTESTED_MOTO=1`` runs it anyway with the warning (for whoever upgrades moto: the
  extension tests then show what changed).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
from collections.abc import Mapping

TESTED_MOTO = "5.2.5"
"""The moto release the extensions are tested with: the one place in code (pyproject.toml pins the same one in
the ``local`` extra, and a test holds the two together)."""
INSTALL = "pip install 'portal-ha[local]'"
UNTESTED_ENV = "PORTAL_HA_EMULATOR_UNTESTED_MOTO"
SERVER_MODULES = {"moto": "moto[server]", "werkzeug": "werkzeug", "flask": "moto[server]",
                  "flask_cors": "moto[server]"}
"""What the emulator's server imports (moto's server brings flask and flask-cors), and the package of each."""


class EmulatorUnavailable(RuntimeError):
    """The emulator cannot run in this Python: what is missing or untested, and what to install."""


def installed_moto() -> str | None:
    """moto's installed version, or None."""
    try:
        return importlib.metadata.version("moto")
    except importlib.metadata.PackageNotFoundError:
        return None


def missing_packages() -> list[str]:
    """The packages of the ``local`` extra whose modules this Python cannot import (none found: [])."""
    missing: list[str] = []
    for module, package in SERVER_MODULES.items():
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):  # a module set to None in sys.modules, or a broken package
            found = False
        if not found and package not in missing:
            missing.append(package)
    return missing


def _minor(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])


def check(installed: str | None, env: Mapping[str, str] | None = None) -> str | None:
    """None for the tested moto; a warning for another release of its minor version (or any other version with
    ``PORTAL_HA_EMULATOR_UNTESTED_MOTO=1``); raises ``EmulatorUnavailable`` for no moto or another minor."""
    if installed is None:
        raise EmulatorUnavailable(f"the local emulator needs moto's server, which is not installed: {INSTALL}")
    if installed == TESTED_MOTO:
        return None
    untested = f"moto {installed} is installed, but the emulator's extensions are tested with moto {TESTED_MOTO}"
    if _minor(installed) == _minor(TESTED_MOTO) or (env if env is not None else os.environ).get(UNTESTED_ENV) == "1":
        return (f"{untested}: the emulator runs (a patch whose target moved fails at start), but may answer "
                f"differently than tested; {INSTALL} installs moto {TESTED_MOTO}")
    raise EmulatorUnavailable(f"{untested} (they replace moto internals, which change between minor releases): "
                              f"{INSTALL} installs moto[server]=={TESTED_MOTO}, or set {UNTESTED_ENV}=1 to run "
                              "this moto anyway")


def require() -> str | None:
    """Whether this Python can run the emulator: raises ``EmulatorUnavailable`` naming what to install, else
    returns the version warning (None for the tested moto)."""
    missing = missing_packages()
    if missing:
        raise EmulatorUnavailable(f"the local emulator needs {', '.join(missing)}, which this Python cannot import: "
                                  f"{INSTALL}")
    return check(installed_moto())
