"""The drill's last step: the configuration file ends as the drill found it, when that is the same stack.

The deployment here is a stand-in whose "synth" writes the stack the settings mean (primary, effective
database home, effective replication region), which is what decides whether restoring a key changes anything.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from portal_ha.operations.config_edit import change, write
from portal_ha.operations.drill import Drill
from portal_ha.operations.failover import settings_keys
from portal_ha.operations.timeline import OperationError
from stacks.loader import load_environment
from stacks.settings import Settings

ARCH = "multi-dc"


class SynthOnly:
    """Settings from the file, and a synth of what they mean; nothing else is called by the restore."""

    arch, local = ARCH, True

    def __init__(self, folder: Path) -> None:
        self.folder, self.synths = folder, 0

    def settings(self) -> Settings:
        return load_environment().valid()

    def synth(self) -> Path:
        config = self.settings().architectures[ARCH]
        replication = config.section("file_system").get("replication_region") or config.others[0].region
        stack = self.folder / "cdktf.out" / "stacks" / ARCH
        stack.mkdir(parents=True, exist_ok=True)
        meaning = {"primary": config.primary, "home": config.database_home or config.primary,
                   "replication": replication}
        (stack / "cdk.tf.json").write_text(json.dumps(meaning))
        self.synths += 1
        return stack


def _before(path: Path) -> tuple[tuple[tuple[str, ...], Any], ...]:
    from portal_ha.operations.config_edit import current

    return tuple((key, current(path, key)) for key in settings_keys(ARCH))


def _drill(tmp_path: Path) -> Drill:
    return Drill(SynthOnly(tmp_path), echo=lambda _: None, poll_seconds=0.0)  # type: ignore[arg-type]


def test_after_failback_the_keys_the_failover_pinned_are_put_back(config: Path, tmp_path: Path) -> None:
    original = config.read_text()
    before = _before(config)
    # What a failover to dc2 and the failback to dc1 leave in the file (2 datacenters: the same stack).
    write(config, [change(config, (ARCH, "database_home"), "dc1"),
                    change(config, (ARCH, "file_system", "replication_region"), "eu-west-1")])
    drill = _drill(tmp_path)
    assert drill._restored(before) is None
    checked = drill._restore(before)
    assert "multi-dc.database_home: \"dc1\" -> (unset)" in checked and checked.endswith("(the same stack)")
    assert json.loads(config.read_text()) == json.loads(original)
    assert drill._restored(before) is not None  # a resumed drill skips the step


def test_a_restore_that_would_change_the_stack_is_undone_and_named(config: Path, tmp_path: Path) -> None:
    before = _before(config)
    write(config, [change(config, (ARCH, "primary"), "dc2")])  # as if the failback had not happened
    left = config.read_text()
    with pytest.raises(OperationError, match=r"restoring multi-dc.primary would change the deployment"):
        _drill(tmp_path)._restore(before)
    assert config.read_text() == left
