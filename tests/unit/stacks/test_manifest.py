"""The verify manifest: what the stack writes reads back as the same tree, and a manifest that is not what the
stacks write is refused at the key."""

from __future__ import annotations

import pytest

from stacks.manifest import Manifest, ManifestError
from tests.unit.tooling.manifests import complete

MULTI = {"architecture": "multi-dc", "primary": "dc2", "database_home": "dc1",
         "datacenters": [{"name": "dc1", "region": "us-east-1", "efs_file_system_id": "fs-1",
                          "efs_private_zones": {"dc2": "Z1"}, "efs_replication_region": "eu-west-1",
                          "efs_replica_file_system_id": "fs-2", "autoscaling_group_name": "portal-dc1",
                          "health_check_grace_seconds": 300, "db_instance_parameters": {"a": "1"}},
                         {"name": "dc2", "region": "eu-west-1", "instance_ids": ["i-1", "i-2"]}],
         "peering_connection_ids": [{"requester": "dc1", "accepter": "dc2", "id": "pcx-1"}],
         "global_lb": {"kind": "route53", "zone_id": "Z9", "domain": "portal.example.com",
                       "health_check_ids": {"dc1": "h1", "dc2": "h2"}, "evacuated": ["dc2"]}}


def test_the_json_reads_back_as_the_same_tree_in_the_same_key_order():
    manifest = complete(MULTI)
    document = manifest.to_json()
    assert Manifest.from_json(document) == manifest
    assert list(document) == ["architecture", "primary", "datacenters", "peering_connection_ids", "global_lb",
                              "database_home", "db_global_cluster_identifier"]
    first = document["datacenters"][0]
    assert list(first)[:2] == ["name", "region"] and list(first)[-1] == "db_instance_parameters"
    assert manifest.primary == "dc2" and manifest.file_system_owner is manifest.datacenters[0]
    shared = manifest.datacenters[0].file_system
    assert shared is not None and shared.replica_file_system_id == "fs-2"
    assert dict(shared.private_zones) == {"dc2": "Z1"}
    assert manifest.datacenters[1].file_system is None and manifest.datacenters[1].instance_ids == ("i-1", "i-2")
    assert manifest.joined is not None and manifest.joined.global_lb.evacuated == ("dc2",)


def test_a_single_datacenter_has_nothing_joined_and_its_only_datacenter_is_the_primary():
    manifest = complete({"architecture": "single-dc", "datacenters": [{"name": "dc1"}]})
    assert manifest.joined is None and manifest.primary == "dc1"
    assert list(manifest.to_json()) == ["architecture", "datacenters"]


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["datacenters"][1].pop("vpc_id"),
     "verify_manifest.datacenters[1].vpc_id is missing: was the deployment made by another version of portal-ha?"),
    (lambda d: d["datacenters"][0].update(instance_count="2"),
     "verify_manifest.datacenters[0].instance_count is '2', not int"),
    (lambda d: d["datacenters"][0].update(instance_count=True),
     "verify_manifest.datacenters[0].instance_count is True, not int"),
    (lambda d: d["global_lb"].update(evacuated=["dc2", 3]), "verify_manifest.global_lb.evacuated holds 3, not str"),
    (lambda d: d.update(datacenters=["dc1"]), "verify_manifest.datacenters[0] is not an object"),
])
def test_a_manifest_the_stacks_would_not_write_is_refused_at_the_key(change, message):
    document = complete(MULTI).to_json()
    change(document)
    with pytest.raises(ManifestError) as err:
        Manifest.from_json(document)
    assert str(err.value).startswith(message)


def test_a_key_that_older_deployments_lack_reads_as_none():
    document = complete(MULTI).to_json()
    del document["datacenters"][0]["efs_replica_file_system_id"]  # written since the replica is in the stack
    shared = Manifest.from_json(document).datacenters[0].file_system
    assert shared is not None and shared.replica_file_system_id is None
