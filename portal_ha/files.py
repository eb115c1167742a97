"""Writes of the files a user owns (``cdktf.json``) or the tool keeps to resume (the operations journal, the
emulator's state, the Terraform CLI config): all at once or not at all.

A plain ``write_text`` truncates the file first and then writes it, so a crash, a SIGKILL or a full disk in
between leaves a truncated file: for ``cdktf.json`` that is the user's configuration lost. ``write_atomic``
writes a temporary file in the same folder, flushes it to disk (``fsync``), and renames it over the old one.
``rename`` within one file system is atomic (POSIX ``rename(2)``): a reader, or the next run after a crash,
sees the old content or the new one, never a part. The folder is flushed too, so the rename itself survives a
power cut. A crash before the rename leaves the old file and a ``.<name>.<random>.tmp`` beside it, which the
next write of that file removes.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

CHUNK = 1 << 20
"""Bytes per ``os.write``: the file is written in a loop, since one write(2) may write less than asked."""
DEFAULT_UMASK = 0o022


def _umask() -> int:
    """The process's umask, read without changing it (``os.umask`` can only set it)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    return DEFAULT_UMASK


def _remove_stale(path: Path) -> None:
    """Temporary files an earlier write of ``path`` left when it was killed before its rename."""
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        stale.unlink(missing_ok=True)


def write_atomic(path: Path, content: str | bytes) -> None:
    """Replace ``path`` with ``content`` (text is UTF-8) atomically. An existing file keeps its permissions; a
    new one gets the usual ``0666`` less the umask (not ``mkstemp``'s ``0600``)."""
    path = Path(path)
    data = content.encode() if isinstance(content, str) else content
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(path)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(handle, view[:CHUNK])
                view = view[written:]
            os.fchmod(handle, mode)
            os.fsync(handle)
        finally:
            os.close(handle)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Flush the folder's entry list, so the rename is on disk too (not every file system allows it)."""
    try:
        handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
