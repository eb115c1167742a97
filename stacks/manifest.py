"""The verify manifest: what a deployed stack says about itself, as one frozen tree.

The stack writes it (``base.PortalStack``, as its ``verify_manifest`` output, the values being Terraform
references at synth time); the tooling reads it back from the deployment's outputs (``Manifest.from_json``) for
verify, teardown, the operations and the reports. The JSON keeps the shape earlier deployments wrote (a datacenter's
file system and database keys side by side with its own, ``efs_``- and ``db_``-prefixed), so a deployment made
before this module existed still reads. A missing or mistyped key is a ``ManifestError`` naming it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TypeVar

T = TypeVar("T")
Json = object
"""A value decoded from JSON (checked by ``_Reader`` before it is used)."""


class ManifestError(ValueError):
    """A verify manifest that is not what this version of the stacks writes (named at the key)."""


def _frozen(values: Mapping[str, str] | None = None) -> Mapping[str, str]:
    return MappingProxyType(dict(values or {}))


@dataclass(frozen=True, kw_only=True)
class FileSystemManifest:
    """The shared file system a datacenter holds (the primary, in a shared-storage architecture)."""

    file_system_id: str
    security_group_id: str
    dns_name: str
    backup_policy: bool
    tls_policy: bool
    replication_region: str | None
    private_zones: Mapping[str, str]
    """Datacenter name -> the private hosted zone that names the file system in that datacenter's VPC."""
    replica_file_system_id: str | None
    """The replica's id; None when it is managed outside the stack (or there is no replication)."""


@dataclass(frozen=True, kw_only=True)
class DatabaseManifest:
    """A datacenter's Aurora cluster."""

    cluster_identifier: str
    security_group_id: str
    performance_insights_retention_days: int | None
    instance_parameter_group: str | None
    instance_parameters: Mapping[str, str]


@dataclass(frozen=True, kw_only=True)
class DatacenterManifest:
    """One datacenter: its network, portal instances, NLB, and what it holds of the file system and database."""

    name: str
    region: str
    vpc_id: str
    vpc_cidr: str
    azs: tuple[str, ...]
    dmz_subnet_ids: tuple[str, ...]
    internal_subnet_ids: tuple[str, ...]
    dmz_route_table_ids: tuple[str, ...]
    internal_route_table_ids: tuple[str, ...]
    instance_ids: tuple[str, ...]
    """The fixed instances (empty with an Auto Scaling group)."""
    instance_count: int
    autoscaling_group_name: str | None
    health_check_grace_seconds: int | None
    portal_security_group_id: str
    nlb_arn: str
    target_group_arn: str
    lb_security_group_id: str
    detailed_monitoring: bool
    file_system: FileSystemManifest | None
    database: DatabaseManifest


@dataclass(frozen=True, kw_only=True)
class PeeringManifest:
    requester: str
    accepter: str
    id: str


@dataclass(frozen=True, kw_only=True)
class GlobalLbManifest:
    kind: str
    zone_id: str | None
    domain: str | None
    health_check_ids: Mapping[str, str]
    """Datacenter name -> its Route 53 health check."""
    evacuated: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class MultiDatacenterManifest:
    """What joins the datacenters of a multi-datacenter architecture."""

    primary: str
    peering: tuple[PeeringManifest, ...]
    global_lb: GlobalLbManifest
    database_home: str
    db_global_cluster_identifier: str


@dataclass(frozen=True, kw_only=True)
class Manifest:
    """The whole deployment of one architecture."""

    architecture: str
    datacenters: tuple[DatacenterManifest, ...]
    joined: MultiDatacenterManifest | None = None
    """None for a single datacenter."""

    @property
    def primary(self) -> str:
        """The primary datacenter's name (the only one, in a single datacenter)."""
        return self.joined.primary if self.joined is not None else self.datacenters[0].name

    def datacenter(self, name: str) -> DatacenterManifest:
        found = next((dc for dc in self.datacenters if dc.name == name), None)
        if found is None:
            raise ManifestError(f"the manifest of {self.architecture} has no datacenter {name!r}")
        return found

    @property
    def file_system_owner(self) -> DatacenterManifest | None:
        """The datacenter holding the shared file system (None with local storage)."""
        return next((dc for dc in self.datacenters if dc.file_system is not None), None)

    def to_json(self) -> dict[str, Json]:
        """The JSON the stack outputs (key order as deployments have always had it)."""
        document: dict[str, Json] = {"architecture": self.architecture}
        if self.joined is not None:
            document["primary"] = self.joined.primary
        document["datacenters"] = [_datacenter_json(dc) for dc in self.datacenters]
        if self.joined is not None:
            joined = self.joined
            lb = joined.global_lb
            document |= {
                "peering_connection_ids": [{"requester": p.requester, "accepter": p.accepter, "id": p.id}
                                           for p in joined.peering],
                "global_lb": {"kind": lb.kind, "zone_id": lb.zone_id, "domain": lb.domain,
                              "health_check_ids": dict(lb.health_check_ids), "evacuated": list(lb.evacuated)},
                "database_home": joined.database_home,
                "db_global_cluster_identifier": joined.db_global_cluster_identifier,
            }
        return document

    @classmethod
    def from_json(cls, raw: Json) -> Manifest:
        """The manifest a deployment output; ManifestError naming the first key that is missing or mistyped."""
        top = _Reader(raw, "verify_manifest")
        datacenters = tuple(_datacenter(_Reader(dc, f"verify_manifest.datacenters[{i}]"))
                            for i, dc in enumerate(top.items("datacenters")))
        joined = None
        if "primary" in top:
            lb = _Reader(top.get("global_lb"), "verify_manifest.global_lb")
            pairs = [_Reader(x, f"verify_manifest.peering_connection_ids[{i}]")
                     for i, x in enumerate(top.items("peering_connection_ids"))]
            joined = MultiDatacenterManifest(
                primary=top.text("primary"),
                peering=tuple(PeeringManifest(requester=p.text("requester"), accepter=p.text("accepter"),
                                              id=p.text("id")) for p in pairs),
                global_lb=GlobalLbManifest(kind=lb.text("kind"), zone_id=lb.optional("zone_id", str),
                                           domain=lb.optional("domain", str),
                                           health_check_ids=lb.text_map("health_check_ids"),
                                           evacuated=lb.texts("evacuated")),
                database_home=top.text("database_home"),
                db_global_cluster_identifier=top.text("db_global_cluster_identifier"))
        return cls(architecture=top.text("architecture"), datacenters=datacenters, joined=joined)


def _datacenter_json(dc: DatacenterManifest) -> dict[str, Json]:
    document: dict[str, Json] = {
        "name": dc.name, "region": dc.region, "vpc_id": dc.vpc_id, "vpc_cidr": dc.vpc_cidr, "azs": list(dc.azs),
        "dmz_subnet_ids": list(dc.dmz_subnet_ids), "internal_subnet_ids": list(dc.internal_subnet_ids),
        "dmz_route_table_ids": list(dc.dmz_route_table_ids),
        "internal_route_table_ids": list(dc.internal_route_table_ids), "instance_ids": list(dc.instance_ids),
        "instance_count": dc.instance_count, "autoscaling_group_name": dc.autoscaling_group_name,
        "health_check_grace_seconds": dc.health_check_grace_seconds,
        "portal_security_group_id": dc.portal_security_group_id, "nlb_arn": dc.nlb_arn,
        "target_group_arn": dc.target_group_arn, "lb_security_group_id": dc.lb_security_group_id,
        "detailed_monitoring": dc.detailed_monitoring,
    }
    fs = dc.file_system
    if fs is not None:
        document |= {
            "efs_file_system_id": fs.file_system_id, "efs_security_group_id": fs.security_group_id,
            "efs_dns_name": fs.dns_name, "efs_backup_policy": fs.backup_policy, "efs_tls_policy": fs.tls_policy,
            "efs_replication_region": fs.replication_region, "efs_private_zones": dict(fs.private_zones),
            "efs_replica_file_system_id": fs.replica_file_system_id,
        }
    db = dc.database
    document |= {
        "db_cluster_identifier": db.cluster_identifier, "db_security_group_id": db.security_group_id,
        "db_performance_insights_retention_days": db.performance_insights_retention_days,
        "db_instance_parameter_group": db.instance_parameter_group,
        "db_instance_parameters": dict(db.instance_parameters),
    }
    return document


def _datacenter(dc: _Reader) -> DatacenterManifest:
    file_system = None
    if "efs_file_system_id" in dc:
        file_system = FileSystemManifest(
            file_system_id=dc.text("efs_file_system_id"), security_group_id=dc.text("efs_security_group_id"),
            dns_name=dc.text("efs_dns_name"), backup_policy=dc.flag("efs_backup_policy"),
            tls_policy=dc.flag("efs_tls_policy"), replication_region=dc.optional("efs_replication_region", str),
            private_zones=dc.text_map("efs_private_zones"),
            replica_file_system_id=dc.optional("efs_replica_file_system_id", str))
    database = DatabaseManifest(
        cluster_identifier=dc.text("db_cluster_identifier"), security_group_id=dc.text("db_security_group_id"),
        performance_insights_retention_days=dc.optional("db_performance_insights_retention_days", int),
        instance_parameter_group=dc.optional("db_instance_parameter_group", str),
        instance_parameters=dc.text_map("db_instance_parameters"))
    return DatacenterManifest(
        name=dc.text("name"), region=dc.text("region"), vpc_id=dc.text("vpc_id"), vpc_cidr=dc.text("vpc_cidr"),
        azs=dc.texts("azs"), dmz_subnet_ids=dc.texts("dmz_subnet_ids"),
        internal_subnet_ids=dc.texts("internal_subnet_ids"),
        dmz_route_table_ids=dc.texts("dmz_route_table_ids"),
        internal_route_table_ids=dc.texts("internal_route_table_ids"), instance_ids=dc.texts("instance_ids"),
        instance_count=dc.integer("instance_count"), autoscaling_group_name=dc.optional("autoscaling_group_name", str),
        health_check_grace_seconds=dc.optional("health_check_grace_seconds", int),
        portal_security_group_id=dc.text("portal_security_group_id"), nlb_arn=dc.text("nlb_arn"),
        target_group_arn=dc.text("target_group_arn"), lb_security_group_id=dc.text("lb_security_group_id"),
        detailed_monitoring=dc.flag("detailed_monitoring"), file_system=file_system, database=database)


class _Reader:
    """Typed access to one JSON object of the manifest; every failure names the key."""

    def __init__(self, raw: Json, where: str) -> None:
        if not isinstance(raw, dict):
            raise ManifestError(f"{where} is not an object")
        self.raw: dict[str, Json] = raw
        self.where = where

    def __contains__(self, key: str) -> bool:
        return key in self.raw

    def get(self, key: str) -> Json:
        if key not in self.raw:
            raise ManifestError(f"{self.where}.{key} is missing: was the deployment made by another version of "
                                "portal-ha? (portal-ha up writes it again)")
        return self.raw[key]

    def typed(self, key: str, kind: type[T]) -> T:
        value = self.get(key)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ManifestError(f"{self.where}.{key} is {value!r}, not {kind.__name__}")
        return value

    def optional(self, key: str, kind: type[T]) -> T | None:
        """None when missing (written by an older version) or null."""
        return None if self.raw.get(key) is None else self.typed(key, kind)

    def text(self, key: str) -> str:
        return self.typed(key, str)

    def integer(self, key: str) -> int:
        return self.typed(key, int)

    def flag(self, key: str) -> bool:
        return self.typed(key, bool)

    def items(self, key: str) -> list[Json]:
        return self.typed(key, list)

    def texts(self, key: str) -> tuple[str, ...]:
        return tuple(self._each(self.items(key), key, str))

    def text_map(self, key: str) -> Mapping[str, str]:
        found = self.typed(key, dict)
        return _frozen(dict(zip(found, self._each(list(found.values()), key, str), strict=True)))

    def _each(self, values: list[Json], key: str, kind: type[T]) -> list[T]:
        bad = [v for v in values if not isinstance(v, kind)]
        if bad:
            raise ManifestError(f"{self.where}.{key} holds {bad[0]!r}, not {kind.__name__}")
        return [v for v in values if isinstance(v, kind)]
