"""Rules on the shared file system (EFS) of the shared-storage architectures: the file system and its mount
targets, backups, the TLS-only policy, replication to the DR region, and its name in the other datacenters."""

from __future__ import annotations

import json
from collections.abc import Iterator

from stacks.architectures import ARCHITECTURES
from stacks.manifest import DatacenterManifest, FileSystemManifest, Manifest

from ..aws import Clients
from ..json_value import JSON, obj
from .core import SKIP, Result, Rules, turned_off, verdict

rules = Rules()


def _efs_datacenters(manifest: Manifest, rule_id: str
                     ) -> Iterator[tuple[DatacenterManifest, FileSystemManifest] | Result]:
    """The datacenters holding the file system (with it), or one SKIP row when the architecture has none."""
    if not ARCHITECTURES[manifest.architecture].shared_storage:
        yield Result(rule_id, "all", SKIP, f"{manifest.architecture} keeps files on each instance's own volume")
        return
    yield from ((dc, dc.file_system) for dc in manifest.datacenters if dc.file_system is not None)


@rules("shared-file-system")
def check_file_system(manifest: Manifest, aws: Clients) -> Iterator[Result]:
    """EFS available and encrypted, with a mount target in every internal AZ (not for -local)."""
    for found in _efs_datacenters(manifest, "shared-file-system"):
        if isinstance(found, Result):
            yield found
            continue
        dc, shared = found
        efs = aws("efs", dc.region)
        fs = efs.describe_file_systems(FileSystemId=shared.file_system_id)["FileSystems"][0]
        targets = efs.describe_mount_targets(FileSystemId=shared.file_system_id)["MountTargets"]
        problems = []
        if fs.get("LifeCycleState") != "available":
            problems.append(f"state {fs.get('LifeCycleState')}")
        if not fs.get("Encrypted"):
            problems.append("not encrypted")
        protection = fs.get("FileSystemProtection", {}).get("ReplicationOverwriteProtection")
        if protection == "REPLICATING":
            problems.append("read-only: it is the destination of a replication (REPLICATING)")
        missing = sorted(set(dc.internal_subnet_ids) - {t["SubnetId"] for t in targets})
        if missing:
            problems.append(f"no mount target in {', '.join(missing)}")
        yield verdict("shared-file-system", dc.name, problems,
                      f"available, encrypted, writable, {len(targets)} mount targets covering every internal "
                      "subnet")


@rules("efs-backup")
def check_backup(manifest: Manifest, aws: Clients) -> Iterator[Result]:
    """The EFS backup policy is ENABLED (AWS Backup takes daily backups)."""
    for found in _efs_datacenters(manifest, "efs-backup"):
        if isinstance(found, Result):
            yield found
            continue
        dc, shared = found
        if not shared.backup_policy:
            yield turned_off("efs-backup", manifest, dc, "file_system.backup_policy")
            continue
        efs = aws("efs", dc.region)
        status: str
        try:
            status = efs.describe_backup_policy(FileSystemId=shared.file_system_id)["BackupPolicy"]["Status"]
        except efs.exceptions.PolicyNotFound:
            status = "not set"
        problems = [] if status == "ENABLED" else [f"backup policy {status}"]
        yield verdict("efs-backup", dc.name, problems, "backup policy ENABLED (daily AWS Backup)")


def _denies_plain_nfs(policy: JSON) -> bool:
    statements = obj(policy).get("Statement", [])
    for statement in map(obj, statements if isinstance(statements, list) else [statements]):
        condition = obj(obj(statement.get("Condition")).get("Bool")).get("aws:SecureTransport")
        values = condition if isinstance(condition, list) else [condition]
        if statement.get("Effect") == "Deny" and statement.get("Action") in ("*", ["*"]) and \
                any(str(v).lower() == "false" for v in values):
            return True
    return False


@rules("efs-tls-policy")
def check_tls_policy(manifest: Manifest, aws: Clients) -> Iterator[Result]:
    """The file system policy denies every request that does not use TLS."""
    for found in _efs_datacenters(manifest, "efs-tls-policy"):
        if isinstance(found, Result):
            yield found
            continue
        dc, shared = found
        if not shared.tls_policy:
            yield turned_off("efs-tls-policy", manifest, dc, "file_system.tls_policy")
            continue
        efs = aws("efs", dc.region)
        try:
            policy = json.loads(efs.describe_file_system_policy(FileSystemId=shared.file_system_id)["Policy"])
        except efs.exceptions.PolicyNotFound:
            policy = None
        problems = []
        if policy is None:
            problems.append("no file system policy (the default policy admits plain NFS)")
        elif not _denies_plain_nfs(policy):
            problems.append("the file system policy does not deny requests without TLS")
        yield verdict("efs-tls-policy", dc.name, problems, "policy denies every request without TLS")


@rules("efs-replication")
def check_replication(manifest: Manifest, aws: Clients) -> Iterator[Result]:
    """Replication to the DR region is ENABLED, and its destination there is read-only (REPLICATING)."""
    for found in _efs_datacenters(manifest, "efs-replication"):
        if isinstance(found, Result):
            yield found
            continue
        dc, shared = found
        region = shared.replication_region
        if not region:
            yield turned_off("efs-replication", manifest, dc, "file_system.replication_region")
            continue
        efs = aws("efs", dc.region)
        try:
            replications = efs.describe_replication_configurations(FileSystemId=shared.file_system_id)["Replications"]
        except efs.exceptions.ReplicationNotFound:
            replications = []
        destinations = [d for r in replications for d in r["Destinations"] if d["Region"] == region]
        problems = []
        if not destinations:
            problems.append(f"no replication to {region}")
        for destination in destinations:
            if destination["Status"] != "ENABLED":
                problems.append(f"replication to {region} is {destination['Status']}")
            replica = aws("efs", region).describe_file_systems(FileSystemId=destination["FileSystemId"])
            protection = replica["FileSystems"][0].get("FileSystemProtection", {}).get("ReplicationOverwriteProtection")
            if protection != "REPLICATING":
                problems.append(f"replica {destination['FileSystemId']} is {protection}, not read-only REPLICATING")
        yield verdict("efs-replication", dc.name, problems,
                      f"replicating to {region}" + "".join(f" ({d['FileSystemId']}, read-only)" for d in destinations))


@rules("efs-private-zone")
def check_private_zones(manifest: Manifest, aws: Clients) -> Iterator[Result]:
    """In every other datacenter's VPC, a private zone resolves the EFS name to every mount-target IP."""
    for found in _efs_datacenters(manifest, "efs-private-zone"):
        if isinstance(found, Result):
            yield found
            continue
        owner, shared = found
        name = shared.dns_name.rstrip(".") + "."
        targets = aws("efs", owner.region).describe_mount_targets(FileSystemId=shared.file_system_id)
        ips = sorted(t["IpAddress"] for t in targets["MountTargets"])
        route53 = aws("route53", "us-east-1")
        if len(manifest.datacenters) == 1:
            yield Result("efs-private-zone", owner.name, SKIP, "one datacenter: its own VPC resolves the EFS name")
        for dc in manifest.datacenters:
            if dc.name == owner.name:
                continue
            problems = []
            zone_id = shared.private_zones.get(dc.name)
            if zone_id is None:
                problems.append(f"no private zone for {name} in {dc.name}")
            else:
                zone = route53.get_hosted_zone(Id=zone_id)
                if not zone["HostedZone"]["Config"].get("PrivateZone"):
                    problems.append(f"zone {zone_id} is public")
                if dc.vpc_id not in {v["VPCId"] for v in zone.get("VPCs", [])}:
                    problems.append(f"zone {zone_id} is not associated with {dc.vpc_id}")
                records = route53.list_resource_record_sets(HostedZoneId=zone_id, StartRecordName=name,
                                                            StartRecordType="A", MaxItems="1")["ResourceRecordSets"]
                a = next((r for r in records if r["Name"] == name and r["Type"] == "A"), None)
                answer = sorted(v["Value"] for v in a.get("ResourceRecords", [])) if a else []
                if answer != ips:
                    problems.append(f"{name} resolves to {answer or 'nothing'}, not the mount targets {ips}")
            yield verdict("efs-private-zone", dc.name, problems,
                          f"{name} resolves to the {len(ips)} mount targets in {owner.name}")
