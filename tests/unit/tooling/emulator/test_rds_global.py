"""The emulator's Aurora global database extensions (``rds_global``, ``rds_failover``): tags, identifier lookups
and filters, membership, and FailoverGlobalCluster / SwitchoverGlobalCluster.

Each test calls the running emulator as the AWS provider (or the operator) would, and checks the documented
answer or error (code and HTTP status). The ``plain moto`` tests show the gaps, in-process and unextended.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from tests.unit.tooling.emulator.conftest import error_of

ENGINE = "aurora-mysql"
GLOBAL = "portal-global-db"
ACCOUNT = "123456789012"
GLOBAL_ARN = f"arn:aws:rds::{ACCOUNT}:global-cluster:{GLOBAL}"


def _cluster(rds, name, **extra):
    credentials = {} if "GlobalClusterIdentifier" in extra else {"MasterUsername": "admin",
                                                                   "MasterUserPassword": "x" * 12}
    cluster = rds.create_db_cluster(DBClusterIdentifier=name, Engine=ENGINE, **credentials, **extra)["DBCluster"]
    rds.create_db_instance(DBInstanceIdentifier=f"{name}-0", DBClusterIdentifier=name, Engine=ENGINE,
                           DBInstanceClass="db.r6g.large")
    return cluster["DBClusterArn"]


@pytest.fixture
def east(aws_client):
    return aws_client("rds", "us-east-1")


@pytest.fixture
def west(aws_client):
    return aws_client("rds", "eu-west-1")


@pytest.fixture
def database(east, west):
    """A global database as the stack builds it: the global cluster, then a primary and a secondary joining it."""
    east.create_global_cluster(GlobalClusterIdentifier=GLOBAL, Engine=ENGINE, StorageEncrypted=True,
                               Tags=[{"Key": "Project", "Value": "portal"}])
    primary = _cluster(east, "primary", GlobalClusterIdentifier=GLOBAL)
    secondary = _cluster(west, "secondary", GlobalClusterIdentifier=GLOBAL, EnableGlobalWriteForwarding=True)
    return primary, secondary


def _global(rds, identifier=GLOBAL):
    return rds.describe_global_clusters(GlobalClusterIdentifier=identifier)["GlobalClusters"][0]


def _members(global_cluster):
    return {member["DBClusterArn"].rsplit(":", 1)[1]: member for member in global_cluster["GlobalClusterMembers"]}


def _writers(rds, cluster):
    members = rds.describe_db_clusters(DBClusterIdentifier=cluster)["DBClusters"][0]["DBClusterMembers"]
    return [member["IsClusterWriter"] for member in members]


def _raises(call, **request):
    with pytest.raises(ClientError) as raised:
        call(**request)
    return error_of(raised)


# CreateGlobalCluster, tags ---------------------------------------------------------------------------------------

def test_tags_given_at_create_are_answered_and_kept(east):
    created = east.create_global_cluster(GlobalClusterIdentifier=GLOBAL, Engine=ENGINE,
                                         Tags=[{"Key": "Project", "Value": "portal"}])["GlobalCluster"]
    assert created["GlobalClusterArn"] == GLOBAL_ARN
    assert created["TagList"] == [{"Key": "Project", "Value": "portal"}]
    assert _global(east)["TagList"] == [{"Key": "Project", "Value": "portal"}]
    assert "EngineLifecycleSupport" not in created


def test_engine_lifecycle_support_given_at_create_is_kept(east):
    east.create_global_cluster(GlobalClusterIdentifier=GLOBAL, Engine=ENGINE,
                               EngineLifecycleSupport="open-source-rds-extended-support")
    assert _global(east)["EngineLifecycleSupport"] == "open-source-rds-extended-support"


def test_tag_calls_take_the_region_less_global_cluster_arn(database, east, west):
    west.add_tags_to_resource(ResourceName=GLOBAL_ARN, Tags=[{"Key": "Owner", "Value": "ops"}])
    assert west.list_tags_for_resource(ResourceName=GLOBAL_ARN)["TagList"] == [
        {"Key": "Project", "Value": "portal"}, {"Key": "Owner", "Value": "ops"}]
    east.remove_tags_from_resource(ResourceName=GLOBAL_ARN, TagKeys=["Project"])
    assert _global(east)["TagList"] == [{"Key": "Owner", "Value": "ops"}]


@pytest.mark.parametrize("call", ["list_tags_for_resource", "add_tags_to_resource", "remove_tags_from_resource"])
def test_tag_calls_on_an_unknown_global_cluster_are_not_found(east, call):
    extra = {"add_tags_to_resource": {"Tags": [{"Key": "k", "Value": "v"}]},
             "remove_tags_from_resource": {"TagKeys": ["k"]}}.get(call, {})
    assert _raises(getattr(east, call), ResourceName=GLOBAL_ARN, **extra)[:2] == ("GlobalClusterNotFoundFault", 404)


def test_the_identifier_is_stored_lowercase_and_a_second_create_is_refused(east):
    created = east.create_global_cluster(GlobalClusterIdentifier="Portal-Global-DB", Engine=ENGINE)["GlobalCluster"]
    assert created["GlobalClusterIdentifier"] == GLOBAL
    assert _global(east, "PORTAL-GLOBAL-DB")["GlobalClusterIdentifier"] == GLOBAL
    code, status, _ = _raises(east.create_global_cluster, GlobalClusterIdentifier=GLOBAL, Engine=ENGINE)
    assert (code, status) == ("GlobalClusterAlreadyExistsFault", 400)
    assert len(east.describe_global_clusters()["GlobalClusters"]) == 1


def test_a_source_cluster_in_any_region_becomes_the_primary(west, east):
    source = _cluster(west, "source")
    created = east.create_global_cluster(GlobalClusterIdentifier=GLOBAL,
                                         SourceDBClusterIdentifier=source)["GlobalCluster"]
    assert created["Engine"] == ENGINE
    assert created["GlobalClusterMembers"] == [{"DBClusterArn": source, "Readers": [], "IsWriter": True,
                                                "SynchronizationStatus": "connected"}]
    assert _writers(west, "source") == [True]


def test_invalid_creates_are_refused(west, east, database):
    source = _cluster(west, "source")
    cases = [
        (dict(SourceDBClusterIdentifier=source, Engine=ENGINE), ("InvalidParameterCombination", 400)),
        (dict(SourceDBClusterIdentifier=f"arn:aws:rds:eu-west-1:{ACCOUNT}:cluster:nope"),
         ("DBClusterNotFoundFault", 404)),
        (dict(SourceDBClusterIdentifier="source"), ("InvalidParameterValue", 400)),
        ({}, ("InvalidParameterValue", 400)),
        (dict(SourceDBClusterIdentifier=database[1]), ("InvalidDBClusterStateFault", 400)),
    ]
    for request, expected in cases:
        assert _raises(east.create_global_cluster, GlobalClusterIdentifier="other", **request)[:2] == expected
    assert [g["GlobalClusterIdentifier"] for g in east.describe_global_clusters()["GlobalClusters"]] == [GLOBAL]


# CreateDBCluster joining, members ------------------------------------------------------------------------------

def test_joining_an_unknown_global_cluster_is_not_found_and_creates_nothing(west):
    assert _raises(west.create_db_cluster, DBClusterIdentifier="lost", Engine=ENGINE,
                   GlobalClusterIdentifier="nope")[:2] == ("GlobalClusterNotFoundFault", 404)
    assert west.describe_db_clusters()["DBClusters"] == []


def test_a_cluster_joins_by_the_global_cluster_arn(east, west):
    east.create_global_cluster(GlobalClusterIdentifier=GLOBAL, Engine=ENGINE)
    primary = _cluster(west, "primary", GlobalClusterIdentifier=GLOBAL_ARN)
    assert _members(_global(east))["primary"] == {"DBClusterArn": primary, "Readers": [], "IsWriter": True,
                                                  "SynchronizationStatus": "connected"}


def test_members_as_aws_reports_them(database, east, west):
    primary, secondary = database
    members = _members(_global(east))
    assert members["primary"] == {"DBClusterArn": primary, "Readers": [secondary], "IsWriter": True,
                                  "SynchronizationStatus": "connected"}
    assert members["secondary"] == {"DBClusterArn": secondary, "Readers": [], "IsWriter": False,
                                    "GlobalWriteForwardingStatus": "enabled", "SynchronizationStatus": "connected"}
    assert _writers(east, "primary") == [True]
    assert _writers(west, "secondary") == [False]  # a secondary is read-only


def test_deleting_the_members_lets_the_global_cluster_go(database, east, west):
    assert _raises(east.delete_global_cluster, GlobalClusterIdentifier=GLOBAL)[:2] == (
        "InvalidGlobalClusterStateFault", 400)
    for rds, name in ((west, "secondary"), (east, "primary")):
        rds.delete_db_instance(DBInstanceIdentifier=f"{name}-0")
        rds.delete_db_cluster(DBClusterIdentifier=name, SkipFinalSnapshot=True)
    deleted = east.delete_global_cluster(GlobalClusterIdentifier=GLOBAL.upper())["GlobalCluster"]
    assert deleted["GlobalClusterIdentifier"] == GLOBAL
    assert east.describe_global_clusters()["GlobalClusters"] == []


def test_deleting_an_unknown_global_cluster_is_not_found(east):
    assert _raises(east.delete_global_cluster, GlobalClusterIdentifier="nope")[:2] == (
        "GlobalClusterNotFoundFault", 404)


# DescribeGlobalClusters ----------------------------------------------------------------------------------------

def test_describe_answers_only_the_identified_global_cluster(database, east):
    east.create_global_cluster(GlobalClusterIdentifier="other", Engine=ENGINE)
    assert len(east.describe_global_clusters()["GlobalClusters"]) == 2
    assert [g["GlobalClusterIdentifier"] for g in
            east.describe_global_clusters(GlobalClusterIdentifier="other")["GlobalClusters"]] == ["other"]
    assert _raises(east.describe_global_clusters, GlobalClusterIdentifier="nope")[:2] == (
        "GlobalClusterNotFoundFault", 404)


def test_describe_filters_by_member_cluster_and_region(database, east, west):
    primary, secondary = database
    east.create_global_cluster(GlobalClusterIdentifier="other", Engine=ENGINE)

    def found(rds, name, values):
        answer = rds.describe_global_clusters(Filters=[{"Name": name, "Values": values}])["GlobalClusters"]
        return [g["GlobalClusterIdentifier"] for g in answer]

    assert found(east, "db-cluster-id", [secondary]) == [GLOBAL]  # by ARN, from any region
    assert found(west, "db-cluster-id", ["secondary"]) == [GLOBAL]  # by identifier, in the called region
    assert found(east, "db-cluster-id", ["secondary"]) == []
    assert found(east, "db-cluster-id", [f"arn:aws:rds:us-east-1:{ACCOUNT}:cluster:nope"]) == []
    assert found(east, "region", ["eu-west-1"]) == [GLOBAL]
    assert found(east, "region", ["ap-south-1"]) == []
    assert _raises(east.describe_global_clusters, Filters=[{"Name": "engine", "Values": [ENGINE]}])[:2] == (
        "InvalidParameterValue", 400)


# FailoverGlobalCluster / SwitchoverGlobalCluster -----------------------------------------------------------------

@pytest.mark.parametrize("how, status, data_loss", [
    ("switchover", "switching-over", False),
    ("failover", "failing-over", True),
    ("failover-as-switchover", "switching-over", False),
])
def test_the_answer_shows_the_operation_pending_with_members_unchanged(database, east, west, how, status, data_loss):
    primary, secondary = database
    before = _global(east)["GlobalClusterMembers"]
    if how == "switchover":
        answer = east.switchover_global_cluster(GlobalClusterIdentifier=GLOBAL, TargetDbClusterIdentifier=secondary)
    elif how == "failover":
        answer = west.failover_global_cluster(GlobalClusterIdentifier=GLOBAL, TargetDbClusterIdentifier=secondary,
                                              AllowDataLoss=True)
    else:
        answer = west.failover_global_cluster(GlobalClusterIdentifier=GLOBAL, TargetDbClusterIdentifier=secondary,
                                              Switchover=True)
    global_cluster = answer["GlobalCluster"]
    assert global_cluster["Status"] == status
    assert global_cluster["FailoverState"] == {"Status": "pending", "FromDbClusterArn": primary,
                                               "ToDbClusterArn": secondary, "IsDataLossAllowed": data_loss}
    assert global_cluster["GlobalClusterMembers"] == before
    assert global_cluster["GlobalClusterArn"] == GLOBAL_ARN
    assert global_cluster["TagList"] == [{"Key": "Project", "Value": "portal"}]


def test_the_roles_have_changed_at_the_next_describe(database, east, west):
    primary, secondary = database
    west.failover_global_cluster(GlobalClusterIdentifier=GLOBAL, TargetDbClusterIdentifier=secondary,
                                 AllowDataLoss=True)
    after = _global(west)
    assert after["Status"] == "available"
    assert "FailoverState" not in after
    members = _members(after)
    assert members["secondary"] == {"DBClusterArn": secondary, "Readers": [primary], "IsWriter": True,
                                    "SynchronizationStatus": "connected"}
    assert members["primary"] == {"DBClusterArn": primary, "Readers": [], "IsWriter": False,
                                  "GlobalWriteForwardingStatus": "disabled", "SynchronizationStatus": "connected"}
    assert _writers(west, "secondary") == [True]
    assert _writers(east, "primary") == [False]
    found = east.describe_global_clusters(Filters=[{"Name": "db-cluster-id", "Values": [primary]}])
    assert [g["GlobalClusterIdentifier"] for g in found["GlobalClusters"]] == [GLOBAL]


def test_a_switchover_back_restores_the_original_roles(database, east, west):
    primary, secondary = database
    east.switchover_global_cluster(GlobalClusterIdentifier=GLOBAL, TargetDbClusterIdentifier=secondary)
    _global(east)
    west.switchover_global_cluster(GlobalClusterIdentifier=GLOBAL, TargetDbClusterIdentifier=primary)
    members = _members(_global(east))
    assert members["primary"]["IsWriter"] is True
    assert members["secondary"]["IsWriter"] is False
    assert _writers(east, "primary") == [True]
    assert _writers(west, "secondary") == [False]


def test_a_target_identifier_is_looked_up_in_the_called_region(database, west):
    west.switchover_global_cluster(GlobalClusterIdentifier=GLOBAL.upper(), TargetDbClusterIdentifier="secondary")
    assert _members(_global(west))["secondary"]["IsWriter"] is True


def test_failover_and_switchover_errors(database, east, west):
    primary, secondary = database
    standalone = _cluster(west, "standalone")
    failover, switchover = west.failover_global_cluster, east.switchover_global_cluster
    cases = [
        (failover, dict(GlobalClusterIdentifier=GLOBAL, TargetDbClusterIdentifier=secondary, AllowDataLoss=True,
                        Switchover=True), ("InvalidParameterCombination", 400)),
        (failover, dict(GlobalClusterIdentifier="nope", TargetDbClusterIdentifier=secondary),
         ("GlobalClusterNotFoundFault", 404)),
        (switchover, dict(GlobalClusterIdentifier="nope", TargetDbClusterIdentifier=secondary),
         ("GlobalClusterNotFoundFault", 404)),
        (switchover, dict(GlobalClusterIdentifier=GLOBAL,
                          TargetDbClusterIdentifier=f"arn:aws:rds:eu-west-1:{ACCOUNT}:cluster:nope"),
         ("DBClusterNotFoundFault", 404)),
        (switchover, dict(GlobalClusterIdentifier=GLOBAL, TargetDbClusterIdentifier="secondary"),  # not in us-east-1
         ("DBClusterNotFoundFault", 404)),
        (failover, dict(GlobalClusterIdentifier=GLOBAL, TargetDbClusterIdentifier=standalone, AllowDataLoss=True),
         ("InvalidDBClusterStateFault", 400)),
        (switchover, dict(GlobalClusterIdentifier=GLOBAL, TargetDbClusterIdentifier=primary),
         ("InvalidDBClusterStateFault", 400)),
    ]
    for call, request, expected in cases:
        assert _raises(call, **request)[:2] == expected, request
    assert _members(_global(east))["primary"]["IsWriter"] is True
    assert "FailoverState" not in _global(east)


def test_a_second_operation_while_one_is_pending_is_refused(database, east, west):
    primary, secondary = database
    east.switchover_global_cluster(GlobalClusterIdentifier=GLOBAL, TargetDbClusterIdentifier=secondary)
    for call in (west.failover_global_cluster, east.switchover_global_cluster):
        assert _raises(call, GlobalClusterIdentifier=GLOBAL, TargetDbClusterIdentifier=secondary)[:2] == (
            "InvalidGlobalClusterStateFault", 400)
    assert _members(_global(east))["secondary"]["IsWriter"] is True  # the first one completed


def test_a_stopped_target_is_refused(database, east, west):
    secondary = database[1]
    west.describe_db_clusters(DBClusterIdentifier="secondary")  # moto: "creating" until first read
    west.stop_db_cluster(DBClusterIdentifier="secondary")
    assert _raises(east.switchover_global_cluster, GlobalClusterIdentifier=GLOBAL,
                   TargetDbClusterIdentifier=secondary)[:2] == ("InvalidDBClusterStateFault", 400)


# Plain moto 5.2, unextended: the gaps (these fail once moto fixes them upstream) --------------------------------

@pytest.fixture
def plain(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield boto3.client("rds", region_name="us-east-1")


def test_plain_moto_drops_tags_and_ignores_the_identifier(plain):
    plain.create_global_cluster(GlobalClusterIdentifier=GLOBAL, Engine=ENGINE, Tags=[{"Key": "k", "Value": "v"}])
    plain.create_global_cluster(GlobalClusterIdentifier=GLOBAL, Engine=ENGINE)  # a duplicate, accepted
    assert len(plain.describe_global_clusters(GlobalClusterIdentifier="other")["GlobalClusters"]) == 1
    assert _global(plain)["TagList"] == []
    with pytest.raises(ClientError) as raised:
        plain.list_tags_for_resource(ResourceName=GLOBAL_ARN)
    assert error_of(raised)[0] == "InvalidParameterValue"


def test_plain_moto_has_no_writer_for_a_source_cluster_and_no_failover(plain):
    source = _cluster(plain, "source")
    plain.create_global_cluster(GlobalClusterIdentifier=GLOBAL, SourceDBClusterIdentifier=source)
    assert _global(plain)["GlobalClusterMembers"][0]["IsWriter"] is False
    with pytest.raises(NotImplementedError):
        plain.switchover_global_cluster(GlobalClusterIdentifier=GLOBAL, TargetDbClusterIdentifier=source)
