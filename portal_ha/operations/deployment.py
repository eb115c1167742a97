"""What an operation needs from the deployment tooling (synth, apply, plan, outputs, verify), as one interface
the CLI implements, plus where an unfinished operation is remembered."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from stacks.manifest import Manifest
from stacks.settings import ArchitectureSettings, Settings

from ..aws import Clients
from ..files import write_atomic
from ..json_value import JSON

SettingsBefore = tuple[tuple[tuple[str, ...], JSON], ...]
"""Configuration keys with the values they had (None: unset)."""
JOURNAL_DIR = Path(".portal-ha") / "operations"


class Deployment(Protocol):
    """One architecture's deployment, against AWS or the emulator."""

    arch: str
    local: bool
    aws: Clients
    env: dict[str, str]
    """The environment of terraform commands (provider mirror; the emulator's endpoint with ``local``)."""

    def settings(self) -> Settings:
        """The settings as the configuration file says now."""

    def deployed(self) -> bool:
        """True when the stack has deployment outputs (``portal-ha up`` ran)."""

    def up(self) -> None:
        """Synthesize, init and apply: what ``portal-ha up`` does."""

    def synth(self) -> Path:
        """Synthesize the current settings and init Terraform; the stack folder."""

    def apply(self, directory: Path, targets: tuple[str, ...] = (), why: str = "") -> int:
        """terraform apply, with progress; only ``targets`` (and what they need) when given, for the reason
        ``why`` (said once, in the tool's words). The number of changes the apply made."""

    def changes(self, directory: Path) -> list[str]:
        """What a plan would change now: one ``<action> <address>`` per resource (empty: no changes)."""

    def manifest(self, directory: Path) -> Manifest:
        """The deployed ``verify_manifest``."""

    def verify(self, manifest: Manifest) -> tuple[int, int, list[str]]:
        """Run verify: PASS count, SKIP count, and one line per FAIL."""


@dataclass(frozen=True)
class Journal:
    """An operation under way: written when it starts, removed when it ends, read to resume it."""

    operation: str
    arch: str
    source: str
    target: str
    unplanned: bool = False
    legs_done: tuple[str, ...] = ()
    """A drill's finished legs (``failover``, ``failback``)."""
    settings_before: SettingsBefore = ()
    """A drill's: each configuration key its legs may change, with the value it had when the drill began (None:
    unset), so that the drill ends with the file as it found it."""

    @staticmethod
    def path(operation: str, arch: str) -> Path:
        return JOURNAL_DIR / f"{operation}-{arch}.json"

    @classmethod
    def read(cls, operation: str, arch: str) -> Journal | None:
        path = cls.path(operation, arch)
        if not path.exists():
            return None
        fields = json.loads(path.read_text())
        fields["legs_done"] = tuple(fields.get("legs_done", ()))
        fields["settings_before"] = tuple((tuple(key), value) for key, value in fields.get("settings_before", ()))
        return cls(**fields)

    def save(self) -> None:
        write_atomic(self.path(self.operation, self.arch), json.dumps(asdict(self), indent=2) + "\n")

    def close(self) -> None:
        self.path(self.operation, self.arch).unlink(missing_ok=True)


CONVERGE = ("an apply with nothing to change changes nothing, and checking first would cost the same plan the "
            "apply makes")
"""Why a step that converges (synth, apply, plan again) has nothing to check before it acts."""
TARGETED_APPLY = ("a targeted apply of resources already in place changes nothing, and a wait for instance "
                  "refreshes returns at once when none runs")
VERIFY = "it is itself a check of AWS, and changes nothing"


def converge(deployment: Deployment) -> Manifest:
    """Synthesize the current settings, apply them, and insist that a new plan shows no changes (the settings,
    Terraform and AWS agree); the deployed manifest."""
    from .timeline import OperationError

    directory = deployment.synth()
    deployment.apply(directory)
    left = deployment.changes(directory)
    if left:
        raise OperationError(f"a plan after the apply still shows {len(left)} change(s): {'; '.join(left[:5])}")
    return deployment.manifest(directory)


def verified(deployment: Deployment, manifest: Manifest) -> str:
    """Run verify on the deployment; what it found, or OperationError listing every FAIL row."""
    from .timeline import OperationError

    passed, skipped, failed = deployment.verify(manifest)
    if failed:
        raise OperationError(f"{len(failed)} verify row(s) FAIL: {'; '.join(failed)}")
    return f"{passed} PASS, {skipped} SKIP, 0 FAIL"


class Refused(ValueError):
    """An operation refused on its input, before any AWS call."""


def multi_datacenter(settings: Settings, arch: str, datacenter: str, *, single: str, named: str = ""
                     ) -> ArchitectureSettings:
    """ARCH's settings when it spans several datacenters and ``datacenter`` is one of them; else Refused.
    ``single`` ends the message for a one-datacenter ARCH; ``named`` is how the user gave the datacenter."""
    if arch not in settings.architectures:
        raise Refused(f"{arch} is not configured in {settings.source}")
    config = settings.architectures[arch]
    names = [dc.name for dc in config.datacenters]
    if not config.kind.multi_datacenter:
        raise Refused(f"{arch} has one datacenter ({names[0]}){single}; use multi-dc or multi-dc-local")
    if datacenter not in names:
        raise Refused(f"{named}{datacenter!r} is not a datacenter of {arch}: use one of {', '.join(names)}")
    return config
