"""``portal-ha failover ARCH --to DC``: make DC the primary datacenter (the writer DB cluster and, with a shared
file system, the writable copy of it), then bring the settings and Terraform along so that a re-plan shows no
changes.

Steps (each checks AWS first, so a second run resumes an interrupted one):

1. ``database``: Aurora Global Database managed switchover to DC's cluster (``SwitchoverGlobalCluster``: the
   secondary catches up first, no data is lost), or with ``unplanned`` a failover that allows data loss
   (``FailoverGlobalCluster AllowDataLoss``). Polls ``DescribeGlobalClusters`` until DC's cluster is the writer
   and the global cluster is ``available``. The demoted cluster forwards writes at once (every member requests
   write forwarding).
2. ``file-system`` (shared storage): the DR copy in DC's region becomes writable: its replication configuration
   is deleted (``DeleteReplicationConfiguration``); the former primary's file system is opened to be
   overwritten (``UpdateFileSystemProtection DISABLED``), so the next step replicates the new primary into it.
3. ``settings``: ``primary`` becomes DC; ``database_home`` is pinned (the credentials stay where they are);
   with shared storage ``file_system.replication_region`` names the former primary's region (and
   ``replica_file_system_id``, only when it is set: a replica managed outside the stack, the former primary).
   Shown first, written only with consent.
4. ``terraform-state`` (shared storage): the stack builds the file system and its replica, so both are in
   Terraform's state: the promoted copy is adopted at the new primary's file system address and the former
   primary at the new replica address (``terraform import``), and the old addresses are forgotten (``terraform
   state rm``, nothing destroyed). With a replica managed outside the stack, the former primary is only
   forgotten.
5. ``remount`` (shared storage): ``terraform apply`` of everything the new primary needs (mount targets, DNS
   names, the instances' launch templates) but nothing removed and no replication started; then waits for
   every instance refresh to end, so no instance still writes to the former primary when it is overwritten.
6. ``reconcile``: ``terraform apply`` of the rest (the former primary's mount targets go, replication starts
   into it); then a plan must show no changes.
7. ``verify``: every verify row passes; the ``db-writer`` row checks the writer is DC's cluster.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from constructs_lib.errors import required
from constructs_lib.synthesized import SynthesizedStack
from stacks.manifest import DatacenterManifest

if TYPE_CHECKING:
    from types_boto3_autoscaling import AutoScalingClient
    from types_boto3_efs import EFSClient
    from types_boto3_rds import RDSClient
    from types_boto3_rds.type_defs import GlobalClusterTypeDef
from stacks.settings import Settings

from .config_edit import Change, SettingsStep, change
from .deployment import (
    CONVERGE,
    TARGETED_APPLY,
    VERIFY,
    Deployment,
    Journal,
    Refused,
    converge,
    multi_datacenter,
    verified,
)
from .timeline import Always, OperationError, Timeline

OPERATION = "failover"
FILE_SYSTEM_ROLES = ("file-system", "replica")
"""The construct ids (last part of the path) of the shared file system and of its replica."""
def settings_keys(arch: str) -> tuple[tuple[str, ...], ...]:
    """Every configuration key the ``settings`` step may write (a drill restores them): primary, database home,
    the file system's replication region, its replica and its KMS key."""
    return ((arch, "primary"), (arch, "database_home"), (arch, "file_system", "replication_region"),
            (arch, "file_system", "replica_file_system_id"), (arch, "file_system", "kms_key_arn"))


REFRESH_RUNNING = ("Pending", "InProgress", "Cancelling", "RollbackInProgress", "Baking")


@dataclass(frozen=True)
class FailoverPlan:
    arch: str
    source: str
    target: str
    unplanned: bool
    shared: bool
    resumed: bool


def preflight(settings: Settings, arch: str, target: str, unplanned: bool) -> FailoverPlan:
    """The failover to run, or Refused naming the problem: no AWS call is made here."""
    config = multi_datacenter(settings, arch, target, named="--to ",
                              single=": there is no other datacenter to fail over to")
    names = [dc.name for dc in config.datacenters]
    journal = Journal.read(OPERATION, arch)
    if journal is not None and journal.target != target:
        raise Refused(f"a failover of {arch} to {journal.target} is unfinished: run portal-ha failover {arch} "
                              f"--to {journal.target} to finish it first")
    if journal is None and config.primary == target:
        raise Refused(f"{target} already is the primary of {arch} ({settings.source}: {arch}.primary); "
                              f"fail over to one of {', '.join(n for n in names if n != target)}")
    shared = config.kind.shared_storage
    source = journal.source if journal is not None else config.primary
    return FailoverPlan(arch=arch, source=source, target=target, unplanned=journal.unplanned if journal else unplanned,
                        shared=shared, resumed=journal is not None)


class Failover:
    """Runs the steps of one failover on a deployment; ``consent`` is asked before the settings are written."""

    def __init__(self, plan: FailoverPlan, deployment: Deployment, *, consent: Callable[[list[Change]], bool],
                 echo: Callable[[str], None], poll_seconds: float, timeout_seconds: float = 3600.0,
                 timeline: Timeline | None = None) -> None:
        self.plan, self.deployment, self.consent, self.echo = plan, deployment, consent, echo
        self.poll_seconds, self.timeout_seconds = poll_seconds, timeout_seconds
        self.timeline = timeline or Timeline(f"failover of {plan.arch} to {plan.target}"
                                             + (" (unplanned: data loss allowed)" if plan.unplanned else ""), echo=echo)
        self.directory = deployment.synth()
        self.manifest = deployment.manifest(self.directory)
        self.source, self.target = self.manifest.datacenter(plan.source), self.manifest.datacenter(plan.target)
        shared = self.source.file_system
        self.former_file_system: str | None = shared.file_system_id if shared is not None else None
        self.promoted_file_system: str | None = shared.replica_file_system_id if shared is not None else None
        self.settings_step = SettingsStep(source=self._source, changes=self._changes,
                                          consent=lambda changes: self.consent(changes), echo=echo,
                                          already=lambda: f"{self._source()} already says primary {plan.target}")
        self._synthesized_after_settings = False
        """True once the new settings are synthesized (the Terraform steps share that synth)."""
        self.lost_seconds: float | None = None
        """Unplanned: how far behind the promoted copy was (from EFS's LastReplicatedTimestamp), when reported."""
        if not plan.resumed:
            self._check_deployment()

    def _check_deployment(self) -> None:
        if self.manifest.primary != self.plan.source:
            raise Refused(f"the deployment's primary is {self.manifest.primary} but the settings say "
                                  f"{self.plan.source}: run portal-ha up {self.plan.arch} first")
        if self.plan.shared:
            region = self.source.file_system.replication_region if self.source.file_system is not None else None
            if region != self.target.region or not self.promoted_file_system:
                raise Refused(
                    f"the shared file system's DR copy is in {region or 'no region'}, not in {self.plan.target}'s "
                    f"region {self.target.region}: set {self.plan.arch}.file_system.replication_region to "
                    f"{self.target.region} and run portal-ha up, or fail over to the datacenter that has the copy")

    def run(self) -> Timeline:
        plan = self.plan
        Journal(OPERATION, plan.arch, plan.source, plan.target, plan.unplanned).save()
        writer_state = f"the writer is still {plan.source}'s cluster, or the switchover is under way"
        self.timeline.run("database", done=self._writer_is_target, act=self._switch_database, state=writer_state)
        if plan.shared:
            self.timeline.run("file-system", done=self._promoted, act=self._promote,
                              state=f"the writer is {plan.target}'s cluster; the file system copy in "
                                    f"{self.target.region} may still be read-only")
        self.timeline.run("settings", done=self.settings_step.done, act=self.settings_step.act,
                          state=f"AWS: the writer{' and the writable file system' if plan.shared else ''} are in "
                                f"{plan.target}; {self.deployment.settings().source} still says primary "
                                f"{plan.source}, and Terraform is not reconciled")
        if plan.shared:
            self.timeline.run("terraform-state", done=self._state_adopted, act=self._adopt,
                              state=f"settings say primary {plan.target}; Terraform's state may still hold the "
                                    "former file system")
            self.timeline.run("remount", done=Always(TARGETED_APPLY), act=self._remount,
                              state=f"settings say primary {plan.target}; some instances may still mount the former "
                                    "primary's file system (it is not replicated into yet)")
        self.timeline.run("reconcile", done=Always(CONVERGE), act=self._reconcile,
                          state=f"settings say primary {plan.target}; Terraform's apply did not finish")
        self.timeline.run("verify", done=Always(VERIFY), act=self._verify,
                          state=f"{plan.target} is the primary everywhere; verify found a problem (see above)")
        Journal(OPERATION, plan.arch, plan.source, plan.target, plan.unplanned).close()
        return self.timeline

    # -- database ---------------------------------------------------------------------------------------------
    def _rds(self) -> RDSClient:
        return self.deployment.aws("rds", self.target.region)  # the target's region answers in an outage too

    def _target_arn(self) -> str:
        found = self._rds().describe_db_clusters(DBClusterIdentifier=self.target.database.cluster_identifier)
        return str(found["DBClusters"][0]["DBClusterArn"])

    def _global_id(self) -> str:
        if self.manifest.joined is None:
            raise OperationError(f"{self.plan.arch} has no global database: a failover needs several datacenters")
        return self.manifest.joined.db_global_cluster_identifier

    def _global(self) -> GlobalClusterTypeDef:
        found = self._rds().describe_global_clusters(
            GlobalClusterIdentifier=self._global_id())["GlobalClusters"]
        if not found:
            raise OperationError(f"global cluster {self._global_id()} is gone")
        return found[0]

    @staticmethod
    def _writer(global_cluster: GlobalClusterTypeDef) -> str | None:
        return next((m["DBClusterArn"] for m in global_cluster.get("GlobalClusterMembers", []) if m.get("IsWriter")),
                    None)

    def _writer_is_target(self) -> str | None:
        found = self._global()
        if found.get("Status") == "available" and self._writer(found) == self._target_arn():
            return f"{self.target.database.cluster_identifier} already is the writer"
        return None

    def _switch_database(self) -> str:
        target_arn, found = self._target_arn(), self._global()
        pending_to = (found.get("FailoverState") or {}).get("ToDbClusterArn")
        if pending_to != target_arn:  # not already under way from an interrupted run
            gid = self._global_id()
            if self.plan.unplanned:
                self._rds().failover_global_cluster(GlobalClusterIdentifier=gid, TargetDbClusterIdentifier=target_arn,
                                                    AllowDataLoss=True)
            else:
                self._rds().switchover_global_cluster(GlobalClusterIdentifier=gid,
                                                      TargetDbClusterIdentifier=target_arn)
        def writes_there() -> bool:
            found = self._global()
            return found.get("Status") == "available" and self._writer(found) == target_arn

        polls = self._wait(writes_there, f"{self.target.database.cluster_identifier} to become the writer")
        members = self._global().get("GlobalClusterMembers", [])
        forwarding = sorted({str(m.get("GlobalWriteForwardingStatus")) for m in members if not m.get("IsWriter")})
        return (f"writer {self.target.database.cluster_identifier} ({self.target.region}), global cluster available "
                f"after {polls} poll(s); the others forward writes: {', '.join(forwarding)}")

    def _wait(self, ready: Callable[[], bool], what: str) -> int:
        deadline, polls = time.monotonic() + self.timeout_seconds, 0
        while True:
            polls += 1
            if ready():
                return polls
            if time.monotonic() > deadline:
                raise OperationError(f"gave up waiting for {what} after {self.timeout_seconds:.0f} s")
            time.sleep(self.poll_seconds)

    # -- file system ------------------------------------------------------------------------------------------
    def _efs(self, dc: DatacenterManifest) -> EFSClient:
        return self.deployment.aws("efs", dc.region)

    def _protection(self, dc: DatacenterManifest, file_system_id: str) -> str:
        described = self._efs(dc).describe_file_systems(FileSystemId=file_system_id)["FileSystems"][0]
        return str(described.get("FileSystemProtection", {}).get("ReplicationOverwriteProtection"))

    def _promoted(self) -> str | None:
        promoted, former = self.promoted_file_system or "", self.former_file_system or ""
        if self._protection(self.target, promoted) == "REPLICATING":
            return None
        if self._protection(self.source, former) not in ("DISABLED", "REPLICATING"):
            return None
        return f"{promoted} already writable in {self.target.region}; {former} open to be replicated into"

    def _promote(self) -> str:
        promoted, former = self.promoted_file_system or "", self.former_file_system or ""
        efs = self._efs(self.target)
        if self._protection(self.target, promoted) == "REPLICATING":
            replications = efs.describe_replication_configurations(FileSystemId=promoted)["Replications"]
            stamps = [d.get("LastReplicatedTimestamp") for r in replications for d in r["Destinations"]]
            if stamps and stamps[0] is not None:
                self.lost_seconds = max(0.0, time.time() - stamps[0].timestamp())
            efs.delete_replication_configuration(SourceFileSystemId=replications[0]["SourceFileSystemId"])
        polls = self._wait(lambda: self._protection(self.target, promoted) != "REPLICATING",
                           f"{promoted} to become writable")
        self._efs(self.source).update_file_system_protection(FileSystemId=former,
                                                             ReplicationOverwriteProtection="DISABLED")
        return (f"{promoted} writable in {self.target.region} ({self._protection(self.target, promoted)}) after "
                f"{polls} poll(s); {former} in {self.source.region} open to be replicated into (DISABLED)")

    def _source(self) -> Path:
        return Path(self.deployment.settings().source)

    # -- settings ---------------------------------------------------------------------------------------------
    def _changes(self) -> list[Change]:
        settings = self.deployment.settings()
        arch, path = self.plan.arch, settings.source
        file = Path(path)
        config = settings.architectures[arch]
        primary, home, region, replica, kms_key = settings_keys(arch)
        changes = [change(file, primary, self.plan.target)]
        if not config.database_home:
            joined = self.manifest.joined
            changes.append(change(file, home, joined.database_home if joined is not None else self.plan.source))
        if self.plan.shared:
            changes.append(change(file, region, self.source.region))
            if config.section("file_system").get("replica_file_system_id"):
                # A replica managed outside the stack: the former primary is that replica now.
                changes.append(change(file, replica, self.former_file_system))
            if config.section("file_system").get("kms_key_arn"):
                # A key of the former primary's region cannot encrypt the promoted copy: name the key it has.
                promoted = self._efs(self.target).describe_file_systems(FileSystemId=required(
                    self.promoted_file_system, "a shared failover has a promoted copy (checked)"))["FileSystems"][0]
                changes.append(change(file, kms_key, promoted["KmsKeyId"]))
        return changes

    # -- Terraform --------------------------------------------------------------------------------------------
    def _synthesized(self) -> SynthesizedStack:
        """The stack of the new settings (synthesized once, after the settings step)."""
        if not self._synthesized_after_settings:
            self.directory = self.deployment.synth()
            self._synthesized_after_settings = True
        return SynthesizedStack.load(self.directory)

    def _wanted(self) -> dict[str, str]:
        """Address -> id of the file systems in the new configuration: the promoted copy at the file system's
        address, the former primary at the replica's (when the stack builds the replica)."""
        wanted = {}
        for resource in self._synthesized().resources("aws_efs_file_system"):
            role = (resource.path or "").rsplit("/", 1)[-1]
            if role not in FILE_SYSTEM_ROLES:
                raise OperationError(f"{resource.address} is neither the shared file system nor its replica "
                                     f"(construct path {resource.path}): this failover cannot place it")
            wanted[resource.address] = (self.promoted_file_system if role == "file-system"
                                        else self.former_file_system) or ""
        return wanted

    def _held(self) -> dict[str, str | None]:
        """Address -> id of the file systems in Terraform's state."""
        from .. import terraform

        return terraform.state_ids(self.directory, self.deployment.env, "aws_efs_file_system")

    def _state_adopted(self) -> str | None:
        wanted = self._wanted()
        if self._held() == wanted:
            return "state holds " + ", ".join(f"{i} at {a}" for a, i in sorted(wanted.items()))
        return None

    def _adopt(self) -> str:
        from .. import terraform

        wanted, env, done = self._wanted(), self.deployment.env, []
        for address, held_id in self._held().items():
            if wanted.get(address) != held_id:
                terraform.state_rm(self.directory, env, address)
                done.append(f"forgot {address} ({held_id}, kept in AWS)")
        held = self._held()
        for address, file_system_id in sorted(wanted.items()):
            if address not in held:
                terraform.import_resource(self.directory, env, address, file_system_id)
                done.append(f"imported {file_system_id} at {address}")
        return "; ".join(done)

    def _remount(self) -> str:
        """Everything the new primary needs (its mount targets, name, access point; the instances' new launch
        templates and the instance refresh that rolls them onto it), but nothing of the former primary's is
        removed and no replication starts yet: instances that still mount it keep writing until the refresh has
        replaced them. Then wait for every refresh to end."""
        stack = self._synthesized()
        targets = tuple(r.address for r in stack.resources(*stack.resource_types())
                        if r.type != "aws_efs_replication_configuration")
        changes = self.deployment.apply(
            self.directory, targets, why=f"what {self.plan.target} needs as the new primary, while nothing of the "
                                         "former primary is removed and no replication starts yet")
        rolled = []
        for dc in self.manifest.datacenters:
            if not dc.autoscaling_group_name:
                continue
            group: str = dc.autoscaling_group_name
            scaling = self.deployment.aws("autoscaling", dc.region)

            def refreshed(scaling: AutoScalingClient = scaling, group: str = group) -> bool:
                found = scaling.describe_instance_refreshes(AutoScalingGroupName=group)["InstanceRefreshes"]
                return not found or found[0]["Status"] not in REFRESH_RUNNING

            polls = self._wait(refreshed, f"the instance refresh of {group}")
            latest = scaling.describe_instance_refreshes(AutoScalingGroupName=group)["InstanceRefreshes"]
            status = latest[0]["Status"] if latest else "none needed"
            if status not in ("Successful", "none needed"):
                raise OperationError(f"the instance refresh of {group} ended {status}")
            rolled.append(f"{dc.name} {status.lower()} after {polls} poll(s)")
        return (f"{changes} changes in {len(targets)} targeted resources (the former primary's kept); "
                "instance refresh: "
                f"{', '.join(rolled) or 'fixed instances (replaced by the apply)'}")

    def _reconcile(self) -> str:
        self.manifest = converge(self.deployment)
        return f"applied; a new plan shows no changes; the deployment's primary is {self.manifest.primary}"

    def _verify(self) -> str:
        return verified(self.deployment, self.manifest)
