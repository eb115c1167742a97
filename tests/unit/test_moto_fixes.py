"""The emulator's moto fix: a cross-region secondary leaves its Aurora global cluster when deleted."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from stacks import moto_fixes


def _clusters():
    east, west = boto3.client("rds", region_name="us-east-1"), boto3.client("rds", region_name="eu-west-1")
    east.create_global_cluster(GlobalClusterIdentifier="g", Engine="aurora-mysql")
    common = dict(Engine="aurora-mysql", GlobalClusterIdentifier="g")
    east.create_db_cluster(DBClusterIdentifier="primary", MasterUsername="admin", MasterUserPassword="x" * 12,
                           **common)
    west.create_db_cluster(DBClusterIdentifier="secondary", **common)
    return east, west


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield


def test_unfixed_moto_keeps_a_deleted_secondary_as_member(aws):
    """Documents the moto bug the fix exists for (this test fails once moto fixes it upstream)."""
    from moto.rds.models import RDSBackend

    if getattr(RDSBackend, "_portal_ha_fixed", False):
        pytest.skip("moto is already patched in this process")
    east, west = _clusters()
    west.delete_db_cluster(DBClusterIdentifier="secondary", SkipFinalSnapshot=True)
    members = east.describe_global_clusters(GlobalClusterIdentifier="g")["GlobalClusters"][0]["GlobalClusterMembers"]
    assert len(members) == 2


def test_fixed_moto_lets_the_global_cluster_go(aws):
    moto_fixes.apply()
    east, west = _clusters()
    west.delete_db_cluster(DBClusterIdentifier="secondary", SkipFinalSnapshot=True)
    east.delete_db_cluster(DBClusterIdentifier="primary", SkipFinalSnapshot=True)
    east.delete_global_cluster(GlobalClusterIdentifier="g")
    assert east.describe_global_clusters()["GlobalClusters"] == []
