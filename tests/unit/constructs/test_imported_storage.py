"""Adopted storage: an ExistingFileSystem / ExistingDatabaseCluster adopted as ImportedFileSystem /
ImportedDatabaseCluster, exposing IFileSystem / IDatabaseCluster as given, and PortalDatacenter mounting and
admitting them without building any file system or database resource."""

from __future__ import annotations

import pytest

from constructs_lib import (
    ConfigError,
    ExistingDatabaseCluster,
    ExistingFileSystem,
    ImportedDatacenter,
    PortalDatacenterProps,
    SharedFileSystemProps,
)
from constructs_lib.database import DatabaseClusterProps
from tests.unit.constructs.test_existing_resources import REGION, _by_name, _network, _provider
from tests.unit.helpers import ref, resources, synth_construct

FS_ID = "fs-0123456789abcdef0"
AP_ID = "fsap-0123456789abcdef0"
EFS_SG = "sg-0000000000000e0f5"
DB_SG = "sg-00000000000000db0"
WRITER = "portal-db.cluster-abcdefghijkl.eu-west-1.rds.amazonaws.com"
READER = "portal-db.cluster-ro-abcdefghijkl.eu-west-1.rds.amazonaws.com"
SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:portal-db-AbCdEf"
# What a built SharedFileSystem or DatabaseCluster makes; an adopted one must make none of them.
STORAGE_TYPES = (
    "aws_efs_file_system", "aws_efs_mount_target", "aws_efs_access_point", "aws_efs_file_system_policy",
    "aws_efs_backup_policy", "aws_efs_replication_configuration", "aws_rds_cluster", "aws_rds_cluster_instance",
    "aws_db_subnet_group", "aws_rds_cluster_parameter_group", "aws_db_parameter_group", "aws_secretsmanager_secret",
)


def _file_system(**overrides: object) -> ExistingFileSystem:
    fields: dict[str, object] = dict(file_system_id=FS_ID, access_point_id=AP_ID, security_group_id=EFS_SG)
    return ExistingFileSystem(**(fields | overrides))


def _cluster(**overrides: object) -> ExistingDatabaseCluster:
    fields: dict[str, object] = dict(cluster_identifier="portal-db", db_writer_endpoint=WRITER,
                                     db_reader_endpoint=READER, security_group_id=DB_SG)
    return ExistingDatabaseCluster(**(fields | overrides))


def _fleet_sg(doc):
    return ref("aws_security_group", _by_name(doc, "aws_security_group", "portal-dc1-portal"))


def _ingress_from(doc, security_group_id, port):
    return [r for r in resources(doc, "aws_vpc_security_group_ingress_rule").values()
            if r["security_group_id"] == security_group_id and r["from_port"] == port == r["to_port"]]


@pytest.fixture(scope="module")
def adopted_storage():
    from constructs_lib import ImportedDatabaseCluster, ImportedFileSystem, PortalDatacenter

    built = {}

    def build(stack):
        network = ImportedDatacenter(stack, "network", network=_network(), provider=_provider(stack))
        efs = ImportedFileSystem(stack, "efs", file_system=_file_system(), datacenter=network)
        db = ImportedDatabaseCluster(stack, "db", cluster=_cluster(db_port=3307, db_secret_arn=SECRET),
                                     datacenter=network)
        built["pdc"] = PortalDatacenter(stack, "dc1", props=PortalDatacenterProps(), datacenter=network,
                                        shared_file_system=efs, database_cluster=db)
        built["efs"], built["db"], built["network"] = efs, db, network

    return synth_construct(build), built


def test_imported_file_system_exposes_what_it_was_given(adopted_storage):
    _, built = adopted_storage
    efs = built["efs"]
    assert (efs.file_system_id, efs.access_point_id, efs.security_group_id) == (FS_ID, AP_ID, EFS_SG)
    assert efs.file_system_dns_name == f"{FS_ID}.efs.{REGION}.amazonaws.com"
    assert efs.region == REGION and efs.adopted is True and efs.datacenter is built["network"]


def test_imported_database_cluster_exposes_what_it_was_given(adopted_storage):
    _, built = adopted_storage
    db = built["db"]
    assert (db.cluster_identifier, db.db_writer_endpoint, db.db_reader_endpoint) == ("portal-db", WRITER, READER)
    assert (db.db_port, db.db_secret_arn, db.security_group_id) == (3307, SECRET, DB_SG)
    assert db.region == REGION and db.adopted is True and db.datacenter is built["network"]


def test_portal_datacenter_builds_no_storage_for_adopted_ones(adopted_storage):
    doc, built = adopted_storage
    made = {rtype for rtype in STORAGE_TYPES if resources(doc, rtype)}
    assert made == set(), f"adopted storage must not create {sorted(made)}"
    groups = {sg["name"] for sg in resources(doc, "aws_security_group").values()}
    assert groups == {"portal-dc1-portal", "portal-dc1-nlb"}, "only the fleet's and the NLB's groups are built"
    pdc = built["pdc"]
    assert pdc.file_system is None and pdc.shared_file_system is built["efs"]
    assert pdc.database is None and pdc.database_cluster is built["db"]


def test_adopted_file_system_is_mounted_and_its_security_group_admits_the_fleet(adopted_storage):
    doc, built = adopted_storage
    (rule,) = _ingress_from(doc, EFS_SG, 2049)
    assert rule["referenced_security_group_id"] == _fleet_sg(doc)
    for instance in resources(doc, "aws_instance").values():
        assert FS_ID in instance["user_data"] and AP_ID in instance["user_data"]


def test_adopted_cluster_admits_the_fleet_on_its_own_port(adopted_storage):
    doc, built = adopted_storage
    (rule,) = _ingress_from(doc, DB_SG, 3307)
    assert rule["referenced_security_group_id"] == _fleet_sg(doc)
    assert not _ingress_from(doc, DB_SG, 3306)


def test_imported_storage_admits_listed_ranges_once():
    from constructs_lib import ImportedDatabaseCluster, ImportedFileSystem

    def build(stack):
        network = ImportedDatacenter(stack, "network", network=_network(), provider=_provider(stack))
        efs = ImportedFileSystem(stack, "efs", file_system=_file_system(), datacenter=network)
        db = ImportedDatabaseCluster(stack, "db", cluster=_cluster(), datacenter=network)
        for _ in range(2):
            efs.allow_clients_from("10.30.10.0/24", "peer DMZ")
            db.allow_clients_from("10.30.10.0/24", "peer DMZ")

    doc = synth_construct(build)
    assert [r["cidr_ipv4"] for r in _ingress_from(doc, EFS_SG, 2049)] == ["10.30.10.0/24"]
    assert [r["cidr_ipv4"] for r in _ingress_from(doc, DB_SG, 3306)] == ["10.30.10.0/24"]


def test_imported_storage_refuses_the_whole_internet():
    from cdktf import TerraformStack, Testing

    from constructs_lib import ImportedFileSystem

    stack = TerraformStack(Testing.app(), "world")
    network = ImportedDatacenter(stack, "network", network=_network(), provider=_provider(stack))
    efs = ImportedFileSystem(stack, "efs", file_system=_file_system(), datacenter=network)
    with pytest.raises(ConfigError) as err:
        efs.allow_clients_from("0.0.0.0/0", "everyone")
    assert "0.0.0.0/0 opens the port to the whole internet" in str(err.value)


def _with_adopted(kind: str, *, props: PortalDatacenterProps, elsewhere: bool = False) -> None:
    from cdktf import TerraformStack, Testing

    from constructs_lib import ImportedDatabaseCluster, ImportedFileSystem, PortalDatacenter

    stack = TerraformStack(Testing.app(), "rule")
    aws = _provider(stack)
    network = ImportedDatacenter(stack, "network", network=_network(), provider=aws)
    home = network if not elsewhere else ImportedDatacenter(stack, "other", provider=aws, network=_network(
        name="dc9", vpc_id="vpc-0000000000000def0"))
    existing = {}
    if kind == "efs":
        existing["shared_file_system"] = ImportedFileSystem(stack, "efs", file_system=_file_system(), datacenter=home)
    else:
        existing["database_cluster"] = ImportedDatabaseCluster(stack, "db", cluster=_cluster(), datacenter=home)
    PortalDatacenter(stack, "pdc", props=props, datacenter=network, **existing)


@pytest.mark.parametrize(
    ("kind", "kwargs", "expected"),
    [
        pytest.param("efs", dict(props=PortalDatacenterProps(file_system=SharedFileSystemProps())),
                     "datacenters[dc1]: file_system (props to build a file system) and shared_file_system (an "
                     "existing SharedFileSystem) are both set: pass one", id="file-system-both"),
        pytest.param("db", dict(props=PortalDatacenterProps(database=DatabaseClusterProps())),
                     "datacenters[dc1]: database (props to build a database cluster) and database_cluster (an "
                     "existing DatabaseCluster) are both set: pass one", id="database-both"),
        pytest.param("efs", dict(props=PortalDatacenterProps(), elsewhere=True),
                     "datacenters[dc1]: shared_file_system is in datacenter dc9, which is not the datacenter= passed "
                     "here (dc1): the instances mount it in its own VPC; pass its Datacenter as datacenter=, or mount "
                     "another VPC's file system with efs_mount", id="file-system-elsewhere"),
        pytest.param("db", dict(props=PortalDatacenterProps(), elsewhere=True),
                     "datacenters[dc1]: database_cluster is in datacenter dc9, which is not the datacenter= passed "
                     "here (dc1): its security group admits the instances of its own VPC only; pass its Datacenter "
                     "as datacenter=", id="database-elsewhere"),
    ],
)
def test_adopted_storage_follows_the_existing_resource_rules(kind, kwargs, expected):
    with pytest.raises(ConfigError) as err:
        _with_adopted(kind, **kwargs)
    assert err.value.problems == [expected]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        pytest.param({"file_system_id": "fs-12"}, "existing_file_system.file_system_id 'fs-12' is not a fs id: use "
                     "fs- followed by 8 to 17 hex digits, such as fs-0123456789abcdef0", id="file-system-id"),
        pytest.param({"access_point_id": FS_ID}, f"existing_file_system.access_point_id '{FS_ID}' is not a fsap id: "
                     "use fsap- followed by 8 to 17 hex digits, such as fsap-0123456789abcdef0", id="access-point-id"),
        pytest.param({"security_group_id": "sg-x"}, "existing_file_system.security_group_id 'sg-x' is not a sg id: "
                     "use sg- followed by 8 to 17 hex digits, such as sg-0123456789abcdef0", id="security-group-id"),
    ],
)
def test_existing_file_system_validation_rule(overrides, expected):
    with pytest.raises(ConfigError) as err:
        _file_system(**overrides)
    assert err.value.problems == [expected]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        pytest.param({"cluster_identifier": "Portal--db"}, "existing_database_cluster.cluster_identifier "
                     "'Portal--db' is not an RDS cluster identifier: use 1 to 63 lower-case letters, digits and "
                     "single hyphens, starting with a letter (for example portal-dc1-db)", id="identifier"),
        pytest.param({"db_writer_endpoint": "localhost"}, "existing_database_cluster.db_writer_endpoint "
                     "'localhost' has 1 label(s): use at least 3, e.g. portal.example.com", id="writer-endpoint"),
        pytest.param({"db_reader_endpoint": "Reader.example.com"}, "existing_database_cluster.db_reader_endpoint "
                     "'Reader.example.com' has upper-case letters: write DNS names in lower case "
                     "(reader.example.com)", id="reader-endpoint"),
        pytest.param({"security_group_id": "sg-x"}, "existing_database_cluster.security_group_id 'sg-x' is not a "
                     "sg id: use sg- followed by 8 to 17 hex digits, such as sg-0123456789abcdef0", id="sg"),
        pytest.param({"db_port": 80}, "existing_database_cluster.db_port 80 is out of range: Aurora MySQL listens "
                     "on 1150 to 65535; use 3306", id="port"),
        pytest.param({"db_secret_arn": "portal-db"}, "existing_database_cluster.db_secret_arn 'portal-db' is not a "
                     "Secrets Manager secret ARN: use for example "
                     "arn:aws:secretsmanager:eu-west-1:123456789012:secret:portal-db-AbCdEf, or None", id="secret"),
    ],
)
def test_existing_database_cluster_validation_rule(overrides, expected):
    with pytest.raises(ConfigError) as err:
        _cluster(**overrides)
    assert err.value.problems == [expected]


def test_existing_storage_accepts_tokens():
    from cdktf import TerraformStack, Testing, Token
    from cdktf_cdktf_provider_aws.data_aws_efs_file_system import DataAwsEfsFileSystem
    from cdktf_cdktf_provider_aws.data_aws_rds_cluster import DataAwsRdsCluster

    stack = TerraformStack(Testing.app(), "tokens")
    fs = DataAwsEfsFileSystem(stack, "fs", tags={"Name": "shared"})
    cluster = DataAwsRdsCluster(stack, "db", cluster_identifier="portal-db")
    adopted = _file_system(file_system_id=fs.id)
    db = _cluster(cluster_identifier=cluster.cluster_identifier, db_writer_endpoint=cluster.endpoint,
                  db_reader_endpoint=cluster.reader_endpoint,
                  db_secret_arn=cluster.master_user_secret.get(0).secret_arn)
    assert Token.is_unresolved(adopted.file_system_id) and Token.is_unresolved(db.db_writer_endpoint)


def test_existing_storage_reports_every_problem_at_once():
    with pytest.raises(ConfigError) as err:
        _file_system(file_system_id="f", access_point_id="a", security_group_id="s")
    assert len(err.value.problems) == 3
    with pytest.raises(ConfigError) as err:
        _cluster(cluster_identifier="-", db_port=1, security_group_id="s")
    assert len(err.value.problems) == 3
