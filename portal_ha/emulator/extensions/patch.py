"""How an extension changes moto: a ``Patch`` replaces (or adds) one attribute of a moto class or module, or
one entry of a moto dictionary (a service's URL table), and can be undone exactly.

The emulator's server applies every patch for good (``apply``); tests apply them for a ``with`` block
(``applied``) so that plain moto can still be shown next to the extended one.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any

_ABSENT = object()
_LOCK = threading.Lock()
_applied: list[tuple[Patch, Any]] | None = None


@dataclass(frozen=True)
class Patch:
    """Set ``name`` on ``target`` (a class or module: an attribute; a mutable mapping: an entry) to ``value``."""

    target: Any
    name: str
    value: Any

    def _read(self) -> Any:
        if isinstance(self.target, MutableMapping):
            return self.target.get(self.name, _ABSENT)
        return self.target.__dict__.get(self.name, _ABSENT)

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

    def apply(self) -> Any:
        """Apply and return what was there before (a marker when nothing was)."""
        before = self._read()
        self._write(self.value)
        return before

    def undo(self, before: Any) -> None:
        self._write(before)


def _install(patches: Iterable[Patch]) -> list[tuple[Patch, Any]]:
    return [(patch, patch.apply()) for patch in patches]


def apply(patches: Iterable[Patch]) -> None:
    """Apply the patches for good in this process; a second call changes nothing."""
    global _applied
    with _LOCK:
        if _applied is None:
            _applied = _install(patches)


@contextlib.contextmanager
def applied(patches: Iterable[Patch]) -> Iterator[None]:
    """Apply the patches for a ``with`` block, then restore moto exactly (nothing happens if already applied)."""
    global _applied
    with _LOCK:
        if _applied is not None:
            owned = False
        else:
            _applied, owned = _install(patches), True
    try:
        yield
    finally:
        if owned:
            with _LOCK:
                for patch, before in reversed(_applied or []):
                    patch.undo(before)
                _applied = None
