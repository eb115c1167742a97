"""Atomic writes (``portal_ha.files``): a process killed in the middle of a write leaves the old file whole.

Each case runs the write in a child process whose ``os.write`` writes half of what it is given and then stops
the process (SIGSTOP); the test then kills it (SIGKILL) and reads the file. The naive writer (truncate, then
write) is the control: the same kill leaves it truncated, so the check can fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from portal_ha.files import write_atomic

CHILD = textwrap.dedent("""
    import json, os, signal, sys
    from pathlib import Path

    real_write = os.write

    def half_then_stop(fd, data):
        done = real_write(fd, bytes(data)[: max(1, len(data) // 2)])
        os.kill(os.getpid(), signal.SIGSTOP)
        return done

    os.write = half_then_stop
    path, how = Path(sys.argv[1]), sys.argv[2]
    new = json.dumps({"context": {"multi-dc": {"primary": "dc2", "pad": "x" * 50000}}}, indent=2) + "\\n"
    if how == "naive":
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
        os.write(fd, new.encode())
    elif how == "atomic":
        from portal_ha.files import write_atomic
        write_atomic(path, new)
    elif how == "config_edit":
        from portal_ha.operations.config_edit import change, write
        write(path, [change(path, ("multi-dc", "primary"), "dc2")])
    elif how == "journal":
        os.chdir(path.parent.parent.parent)
        from portal_ha.operations.deployment import Journal
        Journal("failover", "multi-dc", "dc2", "dc1").save()
""")

OLD = {"context": {"multi-dc": {"primary": "dc1"}}}


def _kill_midway(path: Path, how: str) -> None:
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path), how], cwd=Path(__file__).parents[3])
    _, status = os.waitpid(child.pid, os.WUNTRACED)
    assert os.WIFSTOPPED(status), f"the child ended before its write (status {status}): see its stderr"
    child.kill()
    child.wait()


def test_a_killed_naive_write_truncates_the_file(tmp_path: Path) -> None:
    path = tmp_path / "cdktf.json"
    path.write_text(json.dumps(OLD, indent=2) + "\n")
    _kill_midway(path, "naive")
    with pytest.raises(json.JSONDecodeError):
        json.loads(path.read_text())


@pytest.mark.parametrize("how", ["atomic", "config_edit"])
def test_a_killed_atomic_write_leaves_the_old_file_whole(tmp_path: Path, how: str) -> None:
    path = tmp_path / "cdktf.json"
    path.write_text(json.dumps(OLD, indent=2) + "\n")
    path.chmod(0o640)
    _kill_midway(path, how)
    assert json.loads(path.read_text()) == OLD
    leftover = list(tmp_path.glob(".cdktf.json.*.tmp"))
    assert len(leftover) == 1, "the killed write's temporary file is beside it"
    write_atomic(path, json.dumps({"context": {}}))
    assert json.loads(path.read_text()) == {"context": {}}
    assert oct(path.stat().st_mode & 0o777) == oct(0o640), "a replaced file keeps its permissions"
    assert not list(tmp_path.glob(".cdktf.json.*.tmp")), "the next write removes what the killed one left"


def test_a_killed_journal_save_leaves_the_previous_journal(tmp_path: Path) -> None:
    journal = tmp_path / ".portal-ha" / "operations" / "failover-multi-dc.json"
    journal.parent.mkdir(parents=True)
    old = {"operation": "failover", "arch": "multi-dc", "source": "dc1", "target": "dc2"}
    journal.write_text(json.dumps(old))
    _kill_midway(journal, "journal")
    assert json.loads(journal.read_text()) == old


def test_a_new_file_gets_the_umask_mode_and_bytes_are_written_as_given(tmp_path: Path) -> None:
    previous = os.umask(0o027)
    try:
        write_atomic(tmp_path / "sub" / "new.bin", b"\x00\x01" * 1_500_000)
    finally:
        os.umask(previous)
    written = tmp_path / "sub" / "new.bin"
    assert written.read_bytes() == b"\x00\x01" * 1_500_000
    assert oct(written.stat().st_mode & 0o777) == oct(0o640)


def test_a_failed_write_removes_its_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "cdktf.json"
    path.write_text("{}")

    def full_disk(_fd: int, _data: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", full_disk)
    with pytest.raises(OSError, match="No space"):
        write_atomic(path, "{\"context\": {}}")
    assert path.read_text() == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdktf.json"]
