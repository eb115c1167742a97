"""The failover's AWS steps on an in-process moto with the emulator's extensions (no Terraform): each step says
when it is already done, acts once, and leaves AWS where the next step (or a second run) expects it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from portal_ha.aws import Clients
from portal_ha.emulator import extensions
from portal_ha.operations.failover import Failover, FailoverPlan
from stacks.loader import load_environment
from stacks.manifest import Manifest
from tests.unit.tooling.manifests import complete

ROOT = Path(__file__).resolve().parents[3]
GLOBAL = "portal-global-db"
ENGINE = "aurora-mysql"


class FakeDeployment:
    """The deployment as the steps see it: AWS through moto, settings from a copy of cdktf.json."""

    arch, local = "multi-dc", True

    def __init__(self, manifest: dict[str, Any]) -> None:
        self.aws, self.env, self._manifest = Clients(), {}, complete(manifest)

    def settings(self) -> Any:
        return load_environment().valid()

    def synth(self) -> Path:
        return Path(".")

    def manifest(self, directory: Path) -> Manifest:
        return self._manifest


@pytest.fixture
def deployed(tmp_path, monkeypatch):
    config = json.loads((ROOT / "cdktf.json").read_text())
    config["context"]["multi-dc"]["file_system"] = {"kms_key_arn": "arn:aws:kms:us-east-1:123456789012:key/k"}
    (tmp_path / "cdktf.json").write_text(json.dumps(config))
    monkeypatch.setenv("PORTAL_HA_CONFIG", str(tmp_path / "cdktf.json"))
    monkeypatch.chdir(tmp_path)
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "test")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws(), extensions.applied():
        east, west = boto3.client("rds", "us-east-1"), boto3.client("rds", "eu-west-1")
        east.create_global_cluster(GlobalClusterIdentifier=GLOBAL, Engine=ENGINE, StorageEncrypted=True)
        for rds, name, extra in ((east, "portal-dc1-db", {"MasterUsername": "admin", "MasterUserPassword": "x" * 12}),
                                 (west, "portal-dc2-db", {})):
            rds.create_db_cluster(DBClusterIdentifier=name, Engine=ENGINE, GlobalClusterIdentifier=GLOBAL,
                                  EnableGlobalWriteForwarding=True, **extra)
            rds.create_db_instance(DBInstanceIdentifier=f"{name}-0", DBClusterIdentifier=name, Engine=ENGINE,
                                   DBInstanceClass="db.r6g.large")
        efs = boto3.client("efs", "us-east-1")
        primary = efs.create_file_system(CreationToken="portal", Encrypted=True)["FileSystemId"]
        replica = efs.create_replication_configuration(SourceFileSystemId=primary, Destinations=[
            {"Region": "eu-west-1"}])["Destinations"][0]["FileSystemId"]
        manifest = {"architecture": "multi-dc", "primary": "dc1", "db_global_cluster_identifier": GLOBAL,
                    "database_home": "dc1", "datacenters": [
                        {"name": "dc1", "region": "us-east-1", "db_cluster_identifier": "portal-dc1-db",
                         "efs_file_system_id": primary, "efs_replica_file_system_id": replica,
                         "efs_replication_region": "eu-west-1"},
                        {"name": "dc2", "region": "eu-west-1", "db_cluster_identifier": "portal-dc2-db"}]}
        plan = FailoverPlan(arch="multi-dc", source="dc1", target="dc2", unplanned=False, shared=True,
                            resumed=False)
        yield Failover(plan, FakeDeployment(manifest), consent=lambda _: True, echo=lambda _: None,
                       poll_seconds=0.0, timeout_seconds=5.0), primary, replica


def test_the_database_step_switches_over_once_then_reports_it_done(deployed):
    failover, _, _ = deployed
    assert failover._writer_is_target() is None
    checked = failover._switch_database()
    assert checked.startswith("writer portal-dc2-db (eu-west-1), global cluster available after ")
    assert checked.endswith("the others forward writes: enabled")  # the demoted primary asked for it at creation
    assert failover._writer_is_target() == "portal-dc2-db already is the writer"


def test_the_file_system_step_makes_the_copy_writable_and_opens_the_former_primary(deployed):
    failover, primary, replica = deployed
    assert failover._promoted() is None
    checked = failover._promote()
    assert checked == (f"{replica} writable in eu-west-1 (ENABLED) after 1 poll(s); {primary} in us-east-1 open to "
                       "be replicated into (DISABLED)")
    assert failover._promoted() is not None  # a second run skips it
    assert failover.lost_seconds is None  # the emulator reports no LastReplicatedTimestamp


def test_the_settings_follow_the_promoted_copy_including_its_own_kms_key(deployed):
    failover, primary, replica = deployed
    failover._promote()
    described = {c.key: c.after for c in failover._changes()}
    key = boto3.client("efs", "eu-west-1").describe_file_systems(FileSystemId=replica)["FileSystems"][0]["KmsKeyId"]
    assert ":eu-west-1:" in key
    # The stack builds the replica: no file system id goes into the file (the next state step places both), so
    # nothing in it can name a file system that a later `down` deletes.
    assert described == {"multi-dc.primary": "dc2", "multi-dc.database_home": "dc1",
                         "multi-dc.file_system.replication_region": "us-east-1",
                         "multi-dc.file_system.kms_key_arn": key}
    assert failover.settings_step.done() is None
    failover.settings_step.act()
    assert failover.settings_step.done() is not None
    assert load_environment().valid().architectures["multi-dc"].primary == "dc2"


def test_a_replica_managed_outside_the_stack_is_renamed_to_the_former_primary(deployed):
    failover, primary, replica = deployed
    config = json.loads(Path("cdktf.json").read_text())
    config["context"]["multi-dc"]["file_system"]["replica_file_system_id"] = replica
    Path("cdktf.json").write_text(json.dumps(config))
    failover._promote()
    described = {c.key: (c.before, c.after) for c in failover._changes()}
    assert described["multi-dc.file_system.replica_file_system_id"] == (replica, primary)


def test_refused_consent_leaves_the_file_as_it_was(deployed):
    from portal_ha.operations.timeline import OperationError

    failover, _, _ = deployed
    failover.consent = lambda _: False
    before = Path("cdktf.json").read_text()
    with pytest.raises(OperationError, match="not written: .* was left as it is"):
        failover.settings_step.act()
    assert Path("cdktf.json").read_text() == before


def test_an_unplanned_failover_allows_data_loss(deployed, monkeypatch):
    from dataclasses import replace

    failover, _, _ = deployed
    failover.plan = replace(failover.plan, unplanned=True)
    rds = failover._rds()
    asked: list[dict[str, Any]] = []
    original = rds.failover_global_cluster
    monkeypatch.setattr(rds, "failover_global_cluster", lambda **kw: asked.append(kw) or original(**kw))
    monkeypatch.setattr(rds, "switchover_global_cluster", lambda **kw: pytest.fail("a switchover was asked"))
    assert failover._switch_database().startswith("writer portal-dc2-db (eu-west-1)")
    assert [call["AllowDataLoss"] for call in asked] == [True]
    assert failover._writer_is_target() == "portal-dc2-db already is the writer"
