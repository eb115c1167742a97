"""What each settings profile changes, in one place.

- ``production``: every HA and safety default of the constructs stays on.
- ``lab``: teardown-friendly: no deletion protection on the NLB and the DB, no final DB snapshot.
- ``local``: ``lab``, plus the features the local emulator (moto 5.2) cannot run are left out. Each is
  listed in ``LOCAL_OMISSIONS`` with the reason, and the CLI prints them: they are never reported as verified.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .settings import ArchitectureSettings, Settings

LOCAL_STATE_DIR = Path(".portal-ha") / "emulator" / "state"
"""Where the ``local`` profile keeps Terraform state: beside the emulator's run state, because it is worthless
once the emulator stops (the emulator forgets it when it starts or stops)."""
LAB_WAIVERS = {"HA7": "lab/local profile: DB deletion protection is off so that destroy works"}


@dataclass(frozen=True)
class Omission:
    feature: str
    reason: str


# Measured on moto 5.2: an unimplemented API answers 500 and the AWS provider retries for many
# minutes, so a local deploy must never call one. Others are read back wrongly and would drift on every plan.
LOCAL_OMISSIONS: dict[str, Omission] = {
    "monitoring": Omission("EC2 detailed monitoring",
                           "moto does not implement MonitorInstances: the provider would hang"),
    "efs_backup": Omission("EFS backup policy", "moto does not implement PutBackupPolicy: the provider would hang"),
    "efs_tls_policy": Omission("EFS TLS-only file system policy",
                               "moto cannot delete a file system policy (DeleteFileSystemPolicy hangs), "
                               "so teardown would hang"),
    "efs_replication": Omission("EFS replication to a second region",
                                "moto does not implement EFS replication configurations"),
    "global_accelerator": Omission("Global Accelerator",
                                   "moto does not implement Global Accelerator; Route 53 latency records are used"),
    "global_failover": Omission("Aurora global failover",
                                "moto does not emulate RDS global failover; membership is still checked"),
    "performance_insights": Omission("Aurora Performance Insights",
                                     "moto does not report it back after apply, so every plan would turn it on again"),
    "instance_parameters": Omission("Aurora instance parameter group (max_allowed_packet, sql_mode, slow log)",
                                    "moto returns DB parameters without their source, so every plan would "
                                    "re-apply them"),
    "efs_private_zone": Omission("Private zone publishing the EFS name in the other datacenters' VPCs",
                                 "moto creates private hosted zones as public zones and ignores their VPC"),
    "global_cluster_tags": Omission("Default tags on the Aurora global cluster",
                                    "moto does not store tags on global clusters, so every plan would re-add them"),
}


def omissions(settings: Settings, arch: ArchitectureSettings) -> list[Omission]:
    """The features the local profile leaves out of this architecture (empty outside ``local``)."""
    if not settings.is_local:
        return []
    kind = arch.kind
    keys = ["monitoring", "performance_insights", "instance_parameters"]
    if kind.shared_storage:
        keys += ["efs_backup", "efs_tls_policy"]
        if kind.multi_datacenter or arch.section("file_system").get("replication_region"):
            keys.append("efs_replication")
        if kind.multi_datacenter:
            keys.append("efs_private_zone")
    if kind.multi_datacenter:
        if arch.section("global_lb").get("kind") == "global-accelerator":
            keys.append("global_accelerator")
        keys += ["global_failover", "global_cluster_tags"]
    return [LOCAL_OMISSIONS[k] for k in keys]


def waivers(settings: Settings) -> dict[str, str] | None:
    """The HA rules a profile waives, each with its reason (never silently: the synth names them)."""
    return LAB_WAIVERS if settings.is_lab else None


def state_dir(settings: Settings) -> Path | None:
    """The folder of local Terraform state: the one configured, the emulator's for ``local``, else cdktf's."""
    if settings.state_dir is not None:
        return Path(settings.state_dir)
    return LOCAL_STATE_DIR if settings.is_local else None


def fleet_overrides(settings: Settings) -> dict[str, Any]:
    return {"detailed_monitoring": False} if settings.is_local else {}


def load_balancer_overrides(settings: Settings) -> dict[str, Any]:
    return {"deletion_protection": False} if settings.is_lab else {}


def database_overrides(settings: Settings) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    if settings.is_lab:
        overrides |= {"deletion_protection": False, "skip_final_snapshot": True}
    if settings.is_local:
        overrides |= {"performance_insights": False, "instance_parameters": False}
    return overrides


def file_system_overrides(settings: Settings) -> dict[str, Any]:
    if not settings.is_local:
        return {}
    return {"backup_policy": False, "tls_policy": False, "replication_region": None}


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
    left_out = [o.feature for o in omissions(settings, arch) if o is not LOCAL_OMISSIONS["global_accelerator"]]
    if left_out:
        changes.append(f"left out (the emulator cannot run them): {', '.join(left_out)}")
    return f"{settings.profile} profile, {arch.name}: " + "; ".join(changes)


def notices(settings: Settings, only: tuple[str, ...] | None = None) -> list[str]:
    """What the profile changes in each architecture (or those in ``only``) against cdktf.json, one line each."""
    return [line for name, arch in settings.architectures.items()
            if (only is None or name in only) and (line := notice(settings, arch)) is not None]
