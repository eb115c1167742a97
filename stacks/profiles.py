"""What each settings profile changes, in one place.

- ``production``: every HA and safety default of the constructs stays on.
- ``lab``: teardown-friendly: no deletion protection on the NLB and the DB, no final DB snapshot.
- ``local``: ``lab`` against the local emulator: the same resources as production (the emulator's extensions
  of moto run every one of them), Terraform state beside the emulator, and one substitution where the
  emulator has no such service: Global Accelerator becomes Route 53 latency records (printed when it happens).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .settings import ArchitectureSettings, Settings

LOCAL_STATE_DIR = Path(".portal-ha") / "emulator" / "state"
"""Where the ``local`` profile keeps Terraform state: beside the emulator's run state, because it is worthless
once the emulator stops (the emulator forgets it when it starts or stops)."""
LAB_WAIVERS = {"HA7": "lab/local profile: DB deletion protection is off so that destroy works"}


def waivers(settings: Settings) -> dict[str, str] | None:
    """The HA rules a profile waives, each with its reason (never silently: the synth names them)."""
    return LAB_WAIVERS if settings.is_lab else None


def state_dir(settings: Settings) -> Path | None:
    """The folder of local Terraform state: the one configured, the emulator's for ``local``, else cdktf's."""
    if settings.state_dir is not None:
        return Path(settings.state_dir)
    return LOCAL_STATE_DIR if settings.is_local else None


def load_balancer_overrides(settings: Settings) -> dict[str, Any]:
    return {"deletion_protection": False} if settings.is_lab else {}


def database_overrides(settings: Settings) -> dict[str, Any]:
    return {"deletion_protection": False, "skip_final_snapshot": True} if settings.is_lab else {}


def _ga_replaced(settings: Settings, arch: ArchitectureSettings) -> bool:
    return settings.is_local and arch.section("global_lb").get("kind") == "global-accelerator"


def global_lb_overrides(settings: Settings, arch: ArchitectureSettings) -> dict[str, Any]:
    """The local profile replaces Global Accelerator (absent from the emulator) by Route 53."""
    return {"kind": "route53"} if _ga_replaced(settings, arch) else {}


def substitution_note(settings: Settings, arch: ArchitectureSettings, section: str) -> str:
    """What to add to a problem of ``section`` that the profile's substitution may have caused (else "")."""
    if section == "global_lb" and _ga_replaced(settings, arch):
        return ('; the local profile replaced "kind": "global-accelerator" by "route53" (the emulator has no '
                "Global Accelerator)")
    return ""


def notice(settings: Settings, arch: ArchitectureSettings) -> str | None:
    """One line saying what the profile changes in ``arch`` against what cdktf.json asks (None: nothing)."""
    if not settings.is_lab:
        return None
    changes = []
    if _ga_replaced(settings, arch):
        changes.append(f'{arch.name}.global_lb.kind "global-accelerator" replaced by "route53" (the emulator '
                       "has no Global Accelerator)")
    changes.append("deletion protection off and no final DB snapshot (teardown-friendly)")
    return f"{settings.profile} profile, {arch.name}: " + "; ".join(changes)


def cost(arch: ArchitectureSettings) -> str | None:
    """What a setting of ``arch`` costs that the user may not expect (None: nothing to say)."""
    if not arch.kind.shared_storage and arch.section("portal").get("auto_scaling") is True:
        return (f"{arch.name}: portal.auto_scaling is on with local storage: an instance the Auto Scaling group "
                "replaces starts with an empty data volume, and the files uploaded to the one it replaced are "
                "lost (fixed instances, the default here, keep them until an operator acts)")
    return None


def notices(settings: Settings, only: tuple[str, ...] | None = None) -> list[str]:
    """What the profile changes in each architecture (or those in ``only``) against cdktf.json, and what a
    setting costs, one line each."""
    return [line for name, arch in settings.architectures.items() if only is None or name in only
            for line in (notice(settings, arch), cost(arch)) if line is not None]
