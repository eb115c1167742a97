"""verify's rows about roles, on the running emulator: ``db-writer`` (the writer is the configuration's
primary; the others forward writes), the shared file system being writable, and an evacuated datacenter in
``global-load-balancer``. Each is seen to PASS (or SKIP), then to FAIL under an injected fault."""

from __future__ import annotations

import pytest

from portal_ha.aws import Clients
from portal_ha.verify.database import check_writer
from portal_ha.verify.network import check_global_lb
from portal_ha.verify.storage import check_file_system
from tests.unit.tooling.emulator.test_rds_global import ENGINE, GLOBAL, _cluster
from tests.unit.tooling.manifests import complete


@pytest.fixture
def clients(emulator_server, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator_server.endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    return Clients()


@pytest.fixture
def database(aws_client):
    east, west = aws_client("rds", "us-east-1"), aws_client("rds", "eu-west-1")
    east.create_global_cluster(GlobalClusterIdentifier=GLOBAL, Engine=ENGINE, StorageEncrypted=True)
    _cluster(east, "portal-dc1-db", GlobalClusterIdentifier=GLOBAL, EnableGlobalWriteForwarding=True)
    secondary = _cluster(west, "portal-dc2-db", GlobalClusterIdentifier=GLOBAL, EnableGlobalWriteForwarding=True)
    manifest = {"architecture": "multi-dc", "primary": "dc1", "db_global_cluster_identifier": GLOBAL,
                "datacenters": [{"name": "dc1", "region": "us-east-1", "db_cluster_identifier": "portal-dc1-db"},
                                {"name": "dc2", "region": "eu-west-1", "db_cluster_identifier": "portal-dc2-db"}]}
    return manifest, east, secondary


def test_db_writer_passes_when_the_primary_writes_and_the_others_forward(database, clients):
    manifest, _, _ = database
    [row] = check_writer(complete(manifest), clients)
    assert (row.status, row.scope) == ("PASS", "dc1")
    assert row.detail == "writer portal-dc1-db in dc1, global cluster available; dc2 forward writes"


def test_db_writer_fails_after_a_switchover_the_configuration_does_not_know(database, clients):
    manifest, east, secondary = database
    east.switchover_global_cluster(GlobalClusterIdentifier=GLOBAL, TargetDbClusterIdentifier=secondary)
    [row] = check_writer(complete(manifest), clients)  # the switchover completes at this describe
    assert row.status == "FAIL"
    assert "the writer is dc2's cluster, but the configuration's primary is dc1" in row.detail
    # the demoted primary forwards at once: it asked for write forwarding when it was created
    assert "does not forward" not in row.detail
    [row] = check_writer(complete(manifest | {"primary": "dc2"}), clients)
    assert row.status == "PASS" and "dc1 forward writes" in row.detail


def test_db_writer_fails_for_a_secondary_that_does_not_forward(aws_client, clients):
    east, west = aws_client("rds", "us-east-1"), aws_client("rds", "eu-west-1")
    east.create_global_cluster(GlobalClusterIdentifier=GLOBAL, Engine=ENGINE, StorageEncrypted=True)
    _cluster(east, "portal-dc1-db", GlobalClusterIdentifier=GLOBAL)
    _cluster(west, "portal-dc2-db", GlobalClusterIdentifier=GLOBAL)
    manifest = {"architecture": "multi-dc", "primary": "dc1", "db_global_cluster_identifier": GLOBAL,
                "datacenters": [{"name": "dc1", "region": "us-east-1", "db_cluster_identifier": "portal-dc1-db"},
                                {"name": "dc2", "region": "eu-west-1", "db_cluster_identifier": "portal-dc2-db"}]}
    [row] = check_writer(complete(manifest), clients)
    assert row.status == "FAIL" and row.detail == "dc2 does not forward writes (disabled)"


def test_db_writer_skips_a_single_datacenter(clients):
    [row] = check_writer(complete({"architecture": "single-dc", "datacenters": []}), clients)
    assert (row.status, row.detail) == ("SKIP", "one datacenter: its cluster is the writer (no global database)")


def test_the_shared_file_system_fails_while_it_is_a_read_only_replica(aws_client, clients):
    east, west = aws_client("efs", "us-east-1"), aws_client("efs", "eu-west-1")
    source = east.create_file_system(CreationToken="portal", Encrypted=True)["FileSystemId"]
    replica = east.create_replication_configuration(SourceFileSystemId=source, Destinations=[
        {"Region": "eu-west-1"}])["Destinations"][0]["FileSystemId"]
    dc = {"name": "dc2", "region": "eu-west-1", "efs_file_system_id": replica, "internal_subnet_ids": []}
    manifest = {"architecture": "multi-dc", "datacenters": [dc]}
    [row] = check_file_system(complete(manifest), clients)
    assert row.status == "FAIL" and "read-only: it is the destination of a replication (REPLICATING)" in row.detail
    west.delete_replication_configuration(SourceFileSystemId=source)
    [row] = check_file_system(complete(manifest), clients)
    assert row.status == "PASS" and "writable" in row.detail


@pytest.fixture
def traffic(aws_client):
    """A public zone, a TCP health check per datacenter, and a latency record for dc1 only (dc2 evacuated)."""
    route53 = aws_client("route53", "us-east-1")
    zone = route53.create_hosted_zone(Name="example.com", CallerReference="z")["HostedZone"]["Id"].split("/")[-1]
    checks = {name: route53.create_health_check(CallerReference=name, HealthCheckConfig={
        "Type": "TCP", "FullyQualifiedDomainName": f"{name}.elb.example.net", "Port": 443,
        "RequestInterval": 10, "FailureThreshold": 3})["HealthCheck"]["Id"] for name in ("dc1", "dc2")}

    def record(name: str, region: str) -> dict[str, object]:
        return {"Action": "UPSERT", "ResourceRecordSet": {
            "Name": "portal.example.com", "Type": "A", "SetIdentifier": name, "Region": region,
            "HealthCheckId": checks[name], "AliasTarget": {"HostedZoneId": "Z35SXDOTRQ7X7K", "EvaluateTargetHealth":
                                                          True, "DNSName": f"{name}.elb.example.net"}}}

    route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [record("dc1", "us-east-1")]})
    manifest = {"architecture": "multi-dc", "primary": "dc1", "datacenters": [{"name": "dc1"}, {"name": "dc2"}],
                "global_lb": {"kind": "route53", "zone_id": zone, "domain": "portal.example.com",
                              "health_check_ids": checks, "evacuated": ["dc2"]}}
    return manifest, route53, zone, record


def test_an_evacuated_datacenter_is_shown_as_such_not_as_a_failure(traffic, clients):
    manifest, *_ = traffic
    rows = {r.scope: r for r in check_global_lb(complete(manifest), clients)}
    assert rows["dc1"].status == "PASS"
    assert rows["dc2"].status == "SKIP"
    assert rows["dc2"].detail.startswith("evacuated (multi-dc.global_lb.evacuated): no record serves it; health "
                                         "check ")
    assert rows["dc2"].detail.endswith("(portal-ha restore multi-dc dc2 puts it back)")


def test_an_evacuated_datacenter_that_a_record_still_serves_fails(traffic, clients):
    manifest, route53, zone, record = traffic
    route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [record("dc2", "eu-west-1")]})
    rows = {r.scope: r for r in check_global_lb(complete(manifest), clients)}
    assert rows["dc2"].status == "FAIL"
    assert rows["dc2"].detail == ("evacuated in the configuration (multi-dc.global_lb.evacuated) but a record still "
                                  "sends users to it")
    restored = manifest | {"global_lb": manifest["global_lb"] | {"evacuated": []}}
    [row] = [r for r in check_global_lb(complete(restored), clients) if r.scope == "dc2"]
    assert row.status == "PASS"  # restored: the record is what a serving datacenter needs
