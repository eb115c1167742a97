"""How an extension changes moto, in two kinds that each fail loudly when moto no longer fits them:

- ``Patch`` replaces one attribute that a moto class or module defines itself, or one entry of a moto
  dictionary (a service's URL table). If moto no longer has it (renamed, moved, removed), applying raises
  ``PatchError`` naming the extension and the attribute: a silent addition would leave the extension dead code.
- ``Addition`` adds one that moto lacks (a new operation, a class default). If moto has it already (moto grew
  the call), applying raises ``PatchError``: the extension must be reviewed, and may be removable.

Either is undone exactly. The emulator's server applies every patch for good (``apply``); tests apply them
for a ``with`` block (``applied``) so that plain moto can still be shown next to the extended one. A set of
patches goes in whole or not at all: when one does not fit, those applied before it are undone.
"""

from __future__ import annotations

import contextlib
import inspect
import threading
import types
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any

from ..requirements import INSTALL, TESTED_MOTO, installed_moto

_ABSENT = object()
_REVIEW = f"Install the tested moto {TESTED_MOTO} ({INSTALL}), or review the extension against this moto"
_LOCK = threading.Lock()
_applied: list[tuple[Patch, Any]] | None = None


class PatchError(RuntimeError):
    """A patch that does not fit the installed moto: the extension that made it must be reviewed."""


@dataclass(frozen=True)
class Patch:
    """Replace ``name`` on ``target`` (a class or module: an attribute it defines itself; a mutable mapping: an
    entry) with ``value``. ``extension`` names the module that made the patch (``extensions.all_patches`` sets
    it), ``where`` how a message names a mapping (a dictionary has no name of its own)."""

    target: Any
    name: str
    value: Any
    extension: str = ""
    where: str = ""

    def address(self) -> str:
        """The patched attribute as a dotted path, ``moto.autoscaling.models.AutoScalingBackend.foo``."""
        if isinstance(self.target, MutableMapping):
            return f"{self.where or 'a ' + type(self.target).__name__}[{self.name!r}]"
        if isinstance(self.target, types.ModuleType):
            return f"{self.target.__name__}.{self.name}"
        owner = self.target if isinstance(self.target, type) else type(self.target)
        return f"{owner.__module__}.{owner.__qualname__}.{self.name}"

    def _read(self) -> Any:
        if isinstance(self.target, MutableMapping):
            return self.target.get(self.name, _ABSENT)
        return self.target.__dict__.get(self.name, _ABSENT)

    def _inherited(self) -> bool:
        return not isinstance(self.target, MutableMapping) and hasattr(self.target, self.name)

    def _write(self, value: Any) -> None:
        if isinstance(self.target, MutableMapping):
            if value is _ABSENT:
                self.target.pop(self.name, None)
            else:
                self.target[self.name] = value
        elif value is _ABSENT:
            delattr(self.target, self.name)
        else:
            setattr(self.target, self.name, value)

    @staticmethod
    def _moto() -> str:
        version = installed_moto()
        return f"moto {version}" if version else "the installed moto"

    def _by(self) -> str:
        return f"the emulator extension {self.extension}" if self.extension else "an emulator patch"

    def misfit(self, before: Any) -> str | None:
        """Why this patch does not fit moto as found (``before``: what is there now), or None."""
        if before is not _ABSENT:
            return None
        inherited = " (only a base class has it)" if self._inherited() else ""
        return (f"{self._by()} replaces {self.address()}, which {self._moto()} does not define{inherited}: "
                f"moto renamed or removed it, and the extension would be dead code. {_REVIEW}")

    def apply(self) -> Any:
        """Apply and return what was there before (a marker when nothing was); raise ``PatchError`` when the
        patch does not fit moto."""
        before = self._read()
        problem = self.misfit(before)
        if problem is not None:
            raise PatchError(problem)
        self._write(self.value)
        return before

    def undo(self, before: Any) -> None:
        self._write(before)


class Addition(Patch):
    """Add ``name`` to ``target``, which moto must not have (not even from a base class)."""

    def misfit(self, before: Any) -> str | None:
        if before is _ABSENT and not self._inherited():
            return None
        return (f"{self._by()} adds {self.address()}, which {self._moto()} already has: moto may implement it "
                f"now, and the extension would hide it. {_REVIEW} (remove the extension if moto's own follows AWS)")


def signature(function: Any, *names: str) -> inspect.Signature:
    """The signature of moto's ``function``, which must take each of ``names`` (a wrapper reads them by name):
    raises ``PatchError`` when moto renamed one."""
    found = inspect.signature(function)
    missing = [name for name in names if name not in found.parameters]
    if missing:
        raise PatchError(f"{function.__module__}.{function.__qualname__} of {Patch._moto()} takes no parameter "
                         f"{', '.join(missing)}: moto renamed it. {_REVIEW}")
    return found


def _install(patches: Iterable[Patch]) -> list[tuple[Patch, Any]]:
    done: list[tuple[Patch, Any]] = []
    try:
        for patch in patches:
            done.append((patch, patch.apply()))
    except BaseException:
        _uninstall(done)
        raise
    return done


def _uninstall(done: list[tuple[Patch, Any]]) -> None:
    for patch, before in reversed(done):
        patch.undo(before)


Patches = Iterable[Patch] | Callable[[], Iterable[Patch]]
"""Patches, or what makes them: a function is called only when nothing is applied yet (an extension reads moto's
own functions when it makes its patches, which must be moto's, not the patched ones)."""


def _made(patches: Patches) -> Iterable[Patch]:
    return patches() if callable(patches) else patches


def apply(patches: Patches) -> None:
    """Apply the patches for good in this process; a second call changes nothing."""
    global _applied
    with _LOCK:
        if _applied is None:
            _applied = _install(_made(patches))


@contextlib.contextmanager
def applied(patches: Patches) -> Iterator[None]:
    """Apply the patches for a ``with`` block, then restore moto exactly (nothing happens if already applied)."""
    global _applied
    with _LOCK:
        if _applied is not None:
            owned = False
        else:
            _applied, owned = _install(_made(patches)), True
    try:
        yield
    finally:
        if owned:
            with _LOCK:
                _uninstall(_applied or [])
                _applied = None
