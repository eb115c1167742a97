"""DatabaseCluster and GlobalDatabase: what the synthesized Aurora holds, and one test per validation rule."""

from __future__ import annotations

import json
from typing import Any

import pytest

from constructs_lib.database import DatabaseClusterProps, GlobalDatabaseProps
from constructs_lib.errors import ConfigError
from tests.unit.helpers import ref, resources, synth_construct

CLIENT_SG = "sg-0123456789abcdef0"
PEER_CIDR = "10.99.0.0/24"
KEY_ARN = "arn:aws:kms:{region}:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _datacenter(scope, name: str, region: str, cidr: str, az_count: int = 3):
    from cdktf_cdktf_provider_aws.provider import AwsProvider

    from constructs_lib.network import Datacenter, DatacenterProps

    provider = AwsProvider(scope, f"aws-{name}", region=region, alias=name)
    props = DatacenterProps(
        name=name,
        region=region,
        cidr=cidr,
        az_count=az_count,
        azs=tuple(f"{region}{z}" for z in "abcdef"[:az_count]),
        flow_logs=False,
    )
    return Datacenter(scope, name, props=props, provider=provider)


@pytest.fixture(scope="module")
def built():
    """One synth: a standalone cluster in ``solo`` and a global database over dc1 (primary), dc2 and dc3."""
    from cdktf import TerraformOutput

    from constructs_lib.database import DatabaseCluster, DatabaseSite, GlobalDatabase

    handles: dict[str, Any] = {}

    def build(stack):
        solo = _datacenter(stack, "solo", "us-east-2", "10.5.0.0/16")
        dcs = {
            name: _datacenter(stack, name, region, cidr)
            for name, region, cidr in (
                ("dc1", "us-east-1", "10.1.0.0/16"),
                ("dc2", "eu-west-1", "10.2.0.0/16"),
                ("dc3", "us-west-2", "10.3.0.0/16"),
            )
        }
        standalone = DatabaseCluster(
            stack,
            "solo-db",
            props=DatabaseClusterProps(client_cidrs=(PEER_CIDR,)),
            datacenter=solo,
            client_security_group_id=CLIENT_SG,
        )
        sites = [
            DatabaseSite(
                datacenter=dc,
                client_security_group_id=f"sg-0{name}00000000000",
                client_cidrs=tuple(c for other, d in dcs.items() if other != name for c in d.dmz_cidrs),
            )
            for name, dc in dcs.items()
        ]
        database = GlobalDatabase(
            stack, "global-db", props=GlobalDatabaseProps(), primary=sites[0], secondaries=sites[1:]
        )
        for name, cluster in database.clusters.items():
            TerraformOutput(stack, f"{name}-secret", value=cluster.db_secret_arn)
        TerraformOutput(stack, "solo-secret", value=standalone.db_secret_arn)
        handles.update(solo=solo, dcs=dcs, standalone=standalone, database=database)

    doc = synth_construct(build)
    return doc, handles


@pytest.fixture(scope="module")
def doc(built):
    return built[0]


def _cluster(doc, identifier: str) -> tuple[str, dict]:
    (found,) = [
        (k, c) for k, c in resources(doc, "aws_rds_cluster").items() if c["cluster_identifier"] == identifier
    ]
    return found


def _instances(doc, identifier: str) -> list[dict]:
    logical_id, _ = _cluster(doc, identifier)
    return [
        i
        for i in resources(doc, "aws_rds_cluster_instance").values()
        if i["cluster_identifier"] == ref("aws_rds_cluster", logical_id)
    ]


def _by_name(doc, rtype: str, name: str) -> dict:
    (found,) = [r for r in resources(doc, rtype).values() if r.get("name") == name]
    return found


def _params(group: dict) -> dict[str, str]:
    return {p["name"]: p["value"] for p in group["parameter"]}


def _walk(node: Any, key: str = ""):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v, key)
    else:
        yield key, node


# --- standalone cluster ---------------------------------------------------------------------------------------


def test_three_instances_in_three_distinct_azs(doc, built):
    instances = _instances(doc, "portal-solo-db")
    assert len(instances) == 3
    assert sorted(i["availability_zone"] for i in instances) == ["us-east-2a", "us-east-2b", "us-east-2c"]
    assert sorted(i["identifier"] for i in instances) == [
        "portal-solo-db-0",
        "portal-solo-db-1",
        "portal-solo-db-2",
    ]
    assert all(i["instance_class"] == "db.r6g.large" and i["publicly_accessible"] is False for i in instances)
    assert "availability_zones" not in _cluster(doc, "portal-solo-db")[1]
    assert built[1]["standalone"].instance_azs == ["us-east-2a", "us-east-2b", "us-east-2c"]


def test_subnet_group_spans_the_internal_subnets(doc):
    group = _by_name(doc, "aws_db_subnet_group", "portal-solo-db")
    internal = sorted(
        ref("aws_subnet", k)
        for k, s in resources(doc, "aws_subnet").items()
        if s["tags"]["Name"].startswith("portal-solo-internal-")
    )
    assert len(internal) == 3 and sorted(group["subnet_ids"]) == internal
    cluster = _cluster(doc, "portal-solo-db")[1]
    assert cluster["db_subnet_group_name"].startswith("${aws_db_subnet_group.")


def test_cluster_is_aurora_mysql_3_encrypted_backed_up_and_protected(doc):
    cluster = _cluster(doc, "portal-solo-db")[1]
    assert (cluster["engine"], cluster["engine_version"]) == ("aurora-mysql", "8.0.mysql_aurora.3.08.2")
    assert cluster["storage_encrypted"] is True and "kms_key_id" not in cluster
    assert cluster["backup_retention_period"] == 7
    assert cluster["preferred_backup_window"] == "03:00-04:00"
    assert cluster["copy_tags_to_snapshot"] is True
    assert cluster["deletion_protection"] is True
    assert cluster["skip_final_snapshot"] is False
    assert cluster["final_snapshot_identifier"] == "portal-solo-db-final"
    assert cluster["enabled_cloudwatch_logs_exports"] == ["audit", "error", "slowquery"]
    assert cluster["iam_database_authentication_enabled"] is True
    assert cluster["port"] == 3306 and cluster["provider"] == "aws.solo"


def test_performance_insights_and_minor_upgrades_on_every_instance(doc):
    for instance in _instances(doc, "portal-solo-db"):
        assert instance["performance_insights_enabled"] is True
        assert instance["performance_insights_retention_period"] == 7
        assert instance["auto_minor_version_upgrade"] is True
        assert instance["copy_tags_to_snapshot"] is True


def test_parameter_groups_set_utf8mb4_tls_and_portal_sql_mode(doc):
    cluster = _cluster(doc, "portal-solo-db")[1]
    group = _by_name(doc, "aws_rds_cluster_parameter_group", "portal-solo-db-aurora-mysql8-0")
    assert group["family"] == "aurora-mysql8.0"
    params = _params(group)
    for name in (
        "character_set_server",
        "character_set_client",
        "character_set_connection",
        "character_set_database",
        "character_set_results",
    ):
        assert params[name] == "utf8mb4", name
    assert params["collation_server"] == "utf8mb4_unicode_ci"
    assert params["require_secure_transport"] == "ON"
    assert "aurora_replica_read_consistency" not in params  # standalone: no write forwarding
    assert cluster["db_cluster_parameter_group_name"].endswith(".name}")
    instance_params = _params(
        _by_name(doc, "aws_db_parameter_group", "portal-solo-db-instances-aurora-mysql8-0")
    )
    assert instance_params["sql_mode"] == "NO_ENGINE_SUBSTITUTION"
    assert instance_params["max_allowed_packet"] == str(64 * 1024 * 1024)
    assert instance_params["slow_query_log"] == "1"


def test_standalone_cluster_lets_rds_manage_the_master_password(doc, built):
    cluster = _cluster(doc, "portal-solo-db")[1]
    assert cluster["manage_master_user_password"] is True
    assert cluster["master_username"] == "portaladmin"
    assert "master_password" not in cluster and "master_password_wo" not in cluster
    assert cluster["database_name"] == "apiportal"
    logical_id, _ = _cluster(doc, "portal-solo-db")
    assert doc["output"]["solo-secret"]["value"] == (
        "${aws_rds_cluster." + logical_id + ".master_user_secret[0].secret_arn}"
    )


def test_mysql_only_from_the_client_security_group_and_listed_ranges(doc):
    (sg_id,) = [k for k, sg in resources(doc, "aws_security_group").items() if sg["name"] == "portal-solo-db"]
    rules = [
        r
        for r in resources(doc, "aws_vpc_security_group_ingress_rule").values()
        if r["security_group_id"] == ref("aws_security_group", sg_id)
    ]
    assert all((r["from_port"], r["to_port"], r["ip_protocol"]) == (3306, 3306, "tcp") for r in rules)
    assert all(r.get("description") or r.get("tags", {}).get("Name") for r in rules)
    assert [r.get("referenced_security_group_id") for r in rules if "cidr_ipv4" not in r] == [CLIENT_SG]
    assert [r["cidr_ipv4"] for r in rules if "cidr_ipv4" in r] == [PEER_CIDR]
    assert not resources(doc, "aws_vpc_security_group_egress_rule")
    all_cidrs = [r.get("cidr_ipv4") for r in resources(doc, "aws_vpc_security_group_ingress_rule").values()]
    assert "0.0.0.0/0" not in all_cidrs


def test_attributes(built):
    from cdktf import Token

    cluster = built[1]["standalone"]
    assert cluster.db_port == 3306 and cluster.deletion_protection is True
    assert len(cluster.instance_identifiers) == 3
    for value in (
        cluster.db_writer_endpoint,
        cluster.db_reader_endpoint,
        cluster.db_secret_arn,
        cluster.security_group_id,
        cluster.cluster_identifier,
        cluster.cluster_arn,
        *cluster.instance_identifiers,
    ):
        assert Token.is_unresolved(value)


def test_no_password_literal_anywhere_in_the_synthesized_json(doc):
    text = json.dumps(doc)
    assert '"master_password":' not in text
    assert '"secret_string":' not in text
    secret_keys = [(k, v) for k, v in _walk(doc) if "password" in k or k.startswith("secret_string")]
    assert secret_keys, "expected password-related settings to check"
    for key, value in secret_keys:
        if isinstance(value, str):
            assert "ephemeral." in value, f"{key} holds a literal: {value!r}"
        else:
            assert isinstance(value, (bool, int)), key


# --- global database ------------------------------------------------------------------------------------------


def test_global_cluster(doc):
    (global_cluster,) = resources(doc, "aws_rds_global_cluster").values()
    assert global_cluster["global_cluster_identifier"] == "portal-global-db"
    assert (global_cluster["engine"], global_cluster["engine_version"]) == (
        "aurora-mysql",
        "8.0.mysql_aurora.3.08.2",
    )
    assert global_cluster["storage_encrypted"] is True and global_cluster["deletion_protection"] is True
    assert global_cluster["provider"] == "aws.dc1"


def test_every_region_gets_a_member_cluster_of_three_instances(doc, built):
    (global_id,) = resources(doc, "aws_rds_global_cluster")
    database = built[1]["database"]
    assert list(database.clusters) == ["dc1", "dc2", "dc3"] and database.primary is database.clusters["dc1"]
    for name, region in (("dc1", "us-east-1"), ("dc2", "eu-west-1"), ("dc3", "us-west-2")):
        cluster = _cluster(doc, f"portal-{name}-db")[1]
        assert cluster["global_cluster_identifier"] == ref("aws_rds_global_cluster", global_id)
        assert cluster["provider"] == f"aws.{name}"
        assert cluster["storage_encrypted"] is True
        instances = _instances(doc, f"portal-{name}-db")
        assert sorted(i["availability_zone"] for i in instances) == [f"{region}{z}" for z in "abc"]
        params = _params(
            _by_name(doc, "aws_rds_cluster_parameter_group", f"portal-{name}-db-aurora-mysql8-0")
        )
        assert params["aurora_replica_read_consistency"] == "SESSION"


def test_primary_gets_a_write_only_password_from_ephemeral_resources(doc):
    cluster = _cluster(doc, "portal-dc1-db")[1]
    assert "manage_master_user_password" not in cluster
    assert cluster["master_username"] == "portaladmin" and cluster["database_name"] == "apiportal"
    assert cluster["master_password_wo_version"] == 1
    ephemeral = doc["ephemeral"]
    ((random_id, random_pw),) = ephemeral["aws_secretsmanager_random_password"].items()
    ((read_id, read),) = ephemeral["aws_secretsmanager_secret_version"].items()
    assert random_pw["provider"] == read["provider"] == "aws.dc1"
    assert random_pw["password_length"] >= 16 and random_pw["exclude_punctuation"] is True
    assert cluster["master_password_wo"] == (
        "${jsondecode(ephemeral.aws_secretsmanager_secret_version." + read_id + ".secret_string).password}"
    )
    ((version_id, version),) = resources(doc, "aws_secretsmanager_secret_version").items()
    assert (
        f"ephemeral.aws_secretsmanager_random_password.{random_id}.random_password"
        in version["secret_string_wo"]
    )
    assert version["secret_string_wo_version"] == 1
    assert read["version_id"] == ref("aws_secretsmanager_secret_version", version_id, "version_id")
    assert read["secret_id"] == version["secret_id"]


def test_master_secret_is_replicated_to_every_secondary_region(doc, built):
    ((secret_id, secret),) = resources(doc, "aws_secretsmanager_secret").items()
    assert sorted(r["region"] for r in secret["replica"]) == ["eu-west-1", "us-west-2"]
    assert secret["recovery_window_in_days"] == 30 and secret["provider"] == "aws.dc1"
    arn = ref("aws_secretsmanager_secret", secret_id, "arn")
    assert doc["output"]["dc1-secret"]["value"] == arn
    assert doc["output"]["dc2-secret"]["value"] == (
        "${replace(aws_secretsmanager_secret." + secret_id + '.arn, ":us-east-1:", ":eu-west-1:")}'
    )


def test_secondaries_forward_writes_hold_no_credentials_and_wait_for_the_primary(doc):
    primary_instances = sorted(
        f"aws_rds_cluster_instance.{k}"
        for k, i in resources(doc, "aws_rds_cluster_instance").items()
        if i["identifier"].startswith("portal-dc1-db-")
    )
    assert len(primary_instances) == 3
    for name in ("dc2", "dc3"):
        cluster = _cluster(doc, f"portal-{name}-db")[1]
        assert cluster["enable_global_write_forwarding"] is True
        for key in (
            "master_username",
            "master_password",
            "master_password_wo",
            "manage_master_user_password",
            "database_name",
        ):
            assert key not in cluster, (name, key)
        assert sorted(cluster["depends_on"]) == primary_instances
        assert cluster["lifecycle"] == {"ignore_changes": ["replication_source_identifier"]}
    # The home requests it too: AWS uses it "immediately if the primary is demoted" (a switchover).
    home = _cluster(doc, "portal-dc1-db")[1]
    assert home["enable_global_write_forwarding"] is True
    assert home["lifecycle"] == {"ignore_changes": ["replication_source_identifier"]}


def test_each_member_admits_the_other_datacenters_dmz_ranges(doc, built):
    dcs = built[1]["dcs"]
    (sg_id,) = [k for k, sg in resources(doc, "aws_security_group").items() if sg["name"] == "portal-dc2-db"]
    cidrs = sorted(
        r["cidr_ipv4"]
        for r in resources(doc, "aws_vpc_security_group_ingress_rule").values()
        if r["security_group_id"] == ref("aws_security_group", sg_id) and "cidr_ipv4" in r
    )
    assert cidrs == sorted(dcs["dc1"].dmz_cidrs + dcs["dc3"].dmz_cidrs)


# --- validation rules: one test per rule, asserting the message ------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        pytest.param(
            {"engine_version": "8.0.32"},
            [
                "database.engine_version '8.0.32' is not an Aurora MySQL 3 or 2 version",
                "8.0.mysql_aurora.3.08.2",
            ],
            id="engine-version-format",
        ),
        pytest.param(
            {"engine_version": "5.7.mysql_aurora.2.12.4"},
            [
                "database.engine_version 5.7.mysql_aurora.2.12.4 is Aurora MySQL 2 (MySQL 5.7)",
                "Axway supports MySQL 5.7 / MariaDB 10.4+",
                "Aurora MySQL 3 is MySQL 8.0-compatible",
                "allow_extended_support_engine=True",
            ],
            id="engine-extended-support",
        ),
        pytest.param(
            {"instance_count": 2},
            [
                "database.instance_count 2 is below the HA minimum of 3 database nodes",
                "allow_fewer_nodes=True",
            ],
            id="instance-count-ha",
        ),
        pytest.param(
            {"instance_count": 17},
            ["database.instance_count 17 is out of range", "1 to 16"],
            id="instance-count-range",
        ),
        pytest.param(
            {"instance_class": "r6g.large"},
            ["database.instance_class 'r6g.large' is not a DB instance class", "db.r6g.large"],
            id="instance-class",
        ),
        pytest.param(
            {"client_cidrs": ("0.0.0.0/0",)},
            ["database.client_cidrs[0] 0.0.0.0/0 opens the port to the whole internet"],
            id="client-cidr-world",
        ),
        pytest.param(
            {"client_cidrs": ("10.0.0.300/24",)},
            ["database.client_cidrs[0] '10.0.0.300/24' is not a valid IPv4 CIDR"],
            id="client-cidr-syntax",
        ),
        pytest.param(
            {"kms_key_arn": "arn:aws:kms:us-east-1:123456789012:alias/portal"},
            ["database.kms_key_arn 'arn:aws:kms:us-east-1:123456789012:alias/portal' is not a KMS key ARN"],
            id="kms-arn-shape",
        ),
        pytest.param(
            {"backup_retention_days": 0},
            ["database.backup_retention_days 0 is out of range", "1 to 35 days"],
            id="backup-retention-low",
        ),
        pytest.param(
            {"backup_retention_days": 36},
            ["database.backup_retention_days 36 is out of range"],
            id="backup-retention-high",
        ),
        pytest.param(
            {"preferred_backup_window": "3am-4am"},
            ["database.preferred_backup_window '3am-4am' is not a window", "hh:mm-hh:mm"],
            id="backup-window-format",
        ),
        pytest.param(
            {"preferred_backup_window": "03:00-03:15"},
            ["database.preferred_backup_window 03:00-03:15 lasts 15 minutes: AWS needs at least 30"],
            id="backup-window-length",
        ),
        pytest.param(
            {"master_username": "1admin"},
            [
                "database.master_username '1admin' is not a valid Aurora MySQL master user name",
                "1 to 16 letters",
            ],
            id="master-username-format",
        ),
        pytest.param(
            {"master_username": "rdsadmin"},
            ["database.master_username 'rdsadmin' is reserved"],
            id="master-username-reserved",
        ),
        pytest.param(
            {"database_name": "api-portal"},
            ["database.database_name 'api-portal' is not a valid database name"],
            id="database-name",
        ),
    ],
)
def test_cluster_validation_rule(overrides, expected):
    with pytest.raises(ConfigError) as err:
        DatabaseClusterProps(**overrides)
    message = str(err.value)
    for fragment in expected:
        assert fragment in message


def test_opt_outs_are_accepted():
    props = DatabaseClusterProps(
        engine_version="5.7.mysql_aurora.2.12.4",
        allow_extended_support_engine=True,
        instance_count=1,
        allow_fewer_nodes=True,
    )
    assert props.engine_major == 2


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        pytest.param(
            {"engine_version": "8.0.mysql_aurora.3.03.1"},
            [
                "database.engine_version 8.0.mysql_aurora.3.03.1 does not support global write forwarding",
                "Aurora MySQL 3.04 or later",
            ],
            id="write-forwarding-v3",
        ),
        pytest.param(
            {"engine_version": "5.7.mysql_aurora.2.08.0", "allow_extended_support_engine": True},
            ["5.7.mysql_aurora.2.08.0 does not support global write forwarding", "2.08.1 or later"],
            id="write-forwarding-v2",
        ),
        pytest.param(
            {"master_password_version": 0},
            ["database.master_password_version 0 must be a whole number from 1"],
            id="password-version",
        ),
        pytest.param(
            {"secret_recovery_days": 5},
            [
                "database.secret_recovery_days 5 is not a Secrets Manager recovery window",
                "0 (lab) or 7 to 30",
            ],
            id="secret-recovery",
        ),
        pytest.param(
            {"instance_count": 1},
            ["database.instance_count 1 is below the HA minimum of 3"],
            id="cluster-rules-apply",
        ),
    ],
)
def test_global_validation_rule(overrides, expected):
    with pytest.raises(ConfigError) as err:
        GlobalDatabaseProps(**overrides)
    message = str(err.value)
    for fragment in expected:
        assert fragment in message


def test_write_forwarding_versions_are_accepted():
    GlobalDatabaseProps(engine_version="8.0.mysql_aurora.3.04.0")
    GlobalDatabaseProps(engine_version="5.7.mysql_aurora.2.08.1", allow_extended_support_engine=True)


def _stack():
    from cdktf import TerraformStack, Testing

    return TerraformStack(Testing.app(), "validation")


def test_datacenter_with_two_azs_is_refused_and_the_fix_is_named():
    from constructs_lib.database import DatabaseCluster

    stack = _stack()
    dc = _datacenter(stack, "dc1", "us-east-1", "10.1.0.0/16", az_count=2)
    with pytest.raises(ConfigError) as err:
        DatabaseCluster(
            stack, "db", props=DatabaseClusterProps(), datacenter=dc, client_security_group_id=CLIENT_SG
        )
    message = str(err.value)
    assert "datacenters[dc1].az_count 2 gives the database only 2 availability zones" in message
    assert "set az_count 3 for dc1" in message and "allow_fewer_nodes=True" in message
    assert not [c for c in stack.node.children if c.node.id == "db"], (
        "nothing may be created before the check"
    )
    # The lab opt-out builds it anyway.
    DatabaseCluster(
        stack,
        "lab-db",
        props=DatabaseClusterProps(allow_fewer_nodes=True),
        datacenter=dc,
        client_security_group_id=CLIENT_SG,
    )


def test_kms_key_must_be_in_the_datacenter_region():
    from constructs_lib.database import DatabaseCluster

    stack = _stack()
    dc = _datacenter(stack, "dc1", "us-east-1", "10.1.0.0/16")
    with pytest.raises(ConfigError) as err:
        DatabaseCluster(
            stack,
            "db",
            props=DatabaseClusterProps(kms_key_arn=KEY_ARN.format(region="eu-west-1")),
            datacenter=dc,
            client_security_group_id=CLIENT_SG,
        )
    assert (
        "database.kms_key_arn is a key in region eu-west-1 but the datacenter is in region us-east-1"
        in str(err.value)
    )


def test_allow_clients_from_refuses_the_whole_internet(built):
    with pytest.raises(ConfigError) as err:
        built[1]["standalone"].allow_clients_from("0.0.0.0/0", "everyone")
    assert "0.0.0.0/0 opens the port to the whole internet" in str(err.value)


def test_secondary_membership_needs_the_primary_secret():
    from constructs_lib.database import DatabaseCluster, GlobalMembership

    stack = _stack()
    dc = _datacenter(stack, "dc2", "eu-west-1", "10.2.0.0/16")
    with pytest.raises(ConfigError) as err:
        DatabaseCluster(
            stack,
            "db",
            props=DatabaseClusterProps(),
            datacenter=dc,
            client_security_group_id=CLIENT_SG,
            global_cluster=GlobalMembership(
                global_cluster_identifier="g", role="secondary", primary_region="us-east-1"
            ),
        )
    assert "a secondary needs primary_secret_arn" in str(err.value)


def _sites(stack, *specs):
    from constructs_lib.database import DatabaseSite

    return [
        DatabaseSite(
            datacenter=_datacenter(stack, name, region, cidr),
            client_security_group_id=CLIENT_SG,
            kms_key_arn=kms,
        )
        for name, region, cidr, kms in specs
    ]


def _global_error(props: GlobalDatabaseProps, *specs) -> str:
    from constructs_lib.database import GlobalDatabase

    stack = _stack()
    sites = _sites(stack, *specs)
    with pytest.raises(ConfigError) as err:
        GlobalDatabase(stack, "db", props=props, primary=sites[0], secondaries=sites[1:])
    return str(err.value)


def test_global_database_needs_a_secondary():
    message = _global_error(GlobalDatabaseProps(), ("dc1", "us-east-1", "10.1.0.0/16", None))
    assert "database.secondaries is empty: a global database needs at least one secondary" in message


def test_global_database_sites_must_be_in_distinct_regions():
    message = _global_error(
        GlobalDatabaseProps(),
        ("dc1", "us-east-1", "10.1.0.0/16", None),
        ("dc2", "us-east-1", "10.2.0.0/16", None),
    )
    assert "database sites dc1 and dc2 are both in region us-east-1" in message
    assert "one cluster per region" in message


def test_global_database_site_keys_are_checked_against_their_regions():
    message = _global_error(
        GlobalDatabaseProps(kms_key_arn=KEY_ARN.format(region="us-east-1")),
        ("dc1", "us-east-1", "10.1.0.0/16", None),
        ("dc2", "eu-west-1", "10.2.0.0/16", KEY_ARN.format(region="us-east-1")),
    )
    assert (
        "database sites[dc2].kms_key_arn is a key in region us-east-1 but the datacenter is in region eu-west-1"
        in message
    )
    assert "database.kms_key_arn is a key" not in message  # the primary's key is in the right region


def test_global_database_primary_key_given_twice_must_agree():
    message = _global_error(
        GlobalDatabaseProps(kms_key_arn=KEY_ARN.format(region="us-east-1")),
        (
            "dc1",
            "us-east-1",
            "10.1.0.0/16",
            KEY_ARN.format(region="us-east-1").replace("1234abcd", "9999abcd"),
        ),
        ("dc2", "eu-west-1", "10.2.0.0/16", None),
    )
    assert "and the primary site's kms_key_arn" in message and "differ: set the primary's key once" in message


def test_instances_have_enhanced_monitoring_and_the_cluster_audits(doc):
    instances = list(resources(doc, "aws_rds_cluster_instance").values())
    assert instances and all(i["monitoring_interval"] == 60 and i["monitoring_role_arn"] for i in instances)
    policies = [p["policy_arn"] for p in resources(doc, "aws_iam_role_policy_attachment").values()]
    assert "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole" in policies
    params = {p["name"]: p["value"] for g in resources(doc, "aws_rds_cluster_parameter_group").values()
              for p in g["parameter"]}
    assert params["server_audit_logging"] == "1" and "QUERY_DDL" in params["server_audit_events"]


def test_engine_major_of_an_unknown_version_is_a_config_error():
    from constructs_lib.database.engine import engine_major

    with pytest.raises(ConfigError) as err:
        engine_major("9.9")
    assert err.value.problems == [
        "database.engine_version '9.9' is not an Aurora MySQL 3 or 2 version: use for example "
        "8.0.mysql_aurora.3.08.2 (Aurora MySQL 3.x is MySQL 8.0-compatible; 5.7.mysql_aurora.2.x is MySQL "
        "5.7-compatible)"
    ]
    assert engine_major("8.0.mysql_aurora.3.08.2") == 3


def test_a_secondary_secret_without_the_primary_secret_is_the_same_config_error():
    """The secret step repeats __init__'s refusal as a ConfigError (it cannot be reached through __init__)."""
    from constructs_lib.database import DatabaseCluster, GlobalMembership

    membership = GlobalMembership(global_cluster_identifier="g", role="secondary", primary_region="us-east-1")
    with pytest.raises(ConfigError) as err:
        DatabaseCluster._secret_arn(None, membership)  # type: ignore[arg-type]
    assert err.value.problems == ["database global membership of a secondary needs primary_secret_arn: build "
                                  "global databases with GlobalDatabase"]
