"""SharedFileSystem: what the synthesized EFS holds, and one test per validation rule."""

from __future__ import annotations

import pytest

from constructs_lib.errors import ConfigError
from constructs_lib.shared_storage import SharedFileSystemProps
from tests.unit.helpers import only, ref, resources, synth_construct

CLIENT_SG = "sg-0123456789abcdef0"
EXTRA_CIDR = "10.99.0.0/24"


def _provider(scope, name: str, region: str):
    from cdktf_cdktf_provider_aws.provider import AwsProvider

    return AwsProvider(scope, f"aws-{name}", region=region, alias=name)


def _datacenter(scope, name: str, region: str, cidr: str):
    from constructs_lib.network import Datacenter, DatacenterProps

    provider = _provider(scope, name, region)
    props = DatacenterProps(
        name=name, region=region, cidr=cidr, azs=tuple(f"{region}{z}" for z in "abc"), flow_logs=False
    )
    return Datacenter(scope, name, props=props, provider=provider)


@pytest.fixture(scope="module")
def built():
    """One synth: EFS in dc1 (us-east-1) with replication, a listed CIDR, and exposed to dc2 (eu-west-1)."""
    from constructs_lib.shared_storage import SharedFileSystem

    handles = {}

    def build(stack):
        dc1 = _datacenter(stack, "dc1", "us-east-1", "10.10.0.0/16")
        dc2 = _datacenter(stack, "dc2", "eu-west-1", "10.11.0.0/16")
        fs = SharedFileSystem(
            stack,
            "efs",
            datacenter=dc1,
            client_security_group_id=CLIENT_SG,
            props=SharedFileSystemProps(client_cidrs=(EXTRA_CIDR,), replication_region="us-west-2"),
            replica_provider=_provider(stack, "dr", "us-west-2"),
        )
        zone_id = fs.expose_to(dc2)
        handles.update(dc1=dc1, dc2=dc2, fs=fs, zone_id=zone_id)

    doc = synth_construct(build)
    return doc, handles


@pytest.fixture(scope="module")
def doc(built):
    return built[0]


def _logical_id(doc, rtype: str) -> str:
    (logical_id,) = resources(doc, rtype)
    return logical_id


def _efs_ingress(doc) -> list[dict]:
    sg_ref = ref("aws_security_group", _efs_sg_id(doc))
    return [
        r
        for r in resources(doc, "aws_vpc_security_group_ingress_rule").values()
        if r["security_group_id"] == sg_ref
    ]


def _primary_id(doc) -> str:
    (logical_id,) = [k for k, fs in resources(doc, "aws_efs_file_system").items()
                     if fs["creation_token"] == "portal-dc1-efs"]
    return logical_id


def _replica_id(doc) -> str:
    (logical_id,) = [k for k in resources(doc, "aws_efs_file_system") if k != _primary_id(doc)]
    return logical_id


def _efs_sg_id(doc) -> str:
    (logical_id,) = [
        k for k, sg in resources(doc, "aws_security_group").items() if sg["name"] == "portal-dc1-efs"
    ]
    return logical_id


def _subnet_refs(doc, dc: str, tier: str) -> list[str]:
    return [
        ref("aws_subnet", k)
        for k, s in sorted(resources(doc, "aws_subnet").items())
        if s["tags"]["Tier"] == tier and s["tags"]["Name"].startswith(f"portal-{dc}-")
    ]


def test_file_system_is_encrypted_elastic_and_general_purpose(doc):
    fs = resources(doc, "aws_efs_file_system")[_primary_id(doc)]
    assert fs["encrypted"] is True
    assert "kms_key_id" not in fs  # AWS-managed key by default
    assert fs["throughput_mode"] == "elastic"
    assert fs["performance_mode"] == "generalPurpose"
    assert fs["creation_token"] == "portal-dc1-efs"
    assert fs["provider"] == "aws.dc1"


def test_lifecycle_moves_to_ia_after_30_days_and_back_on_access(doc):
    fs = resources(doc, "aws_efs_file_system")[_primary_id(doc)]
    assert fs["lifecycle_policy"] == [
        {"transition_to_ia": "AFTER_30_DAYS"},
        {"transition_to_primary_storage_class": "AFTER_1_ACCESS"},
    ]


def test_one_mount_target_per_internal_subnet_with_the_efs_security_group(doc):
    targets = list(resources(doc, "aws_efs_mount_target").values())
    internal = _subnet_refs(doc, "dc1", "internal")
    assert len(internal) == 3
    assert sorted(t["subnet_id"] for t in targets) == sorted(internal)
    sg_ref = ref("aws_security_group", _efs_sg_id(doc))
    assert all(t["security_groups"] == [sg_ref] for t in targets)
    fs_ref = ref("aws_efs_file_system", _primary_id(doc))
    assert all(t["file_system_id"] == fs_ref for t in targets)


def test_access_point_is_owned_by_apache(doc):
    ap = only(doc, "aws_efs_access_point")
    assert ap["root_directory"] == {
        "path": "/apiportal",
        "creation_info": {"owner_uid": 48, "owner_gid": 48, "permissions": "0755"},
    }
    assert ap["posix_user"] == {"uid": 48, "gid": 48}


def test_file_system_policy_denies_without_tls_and_allows_only_through_mount_targets(doc):
    policy = only(doc, "aws_efs_file_system_policy")["policy"]
    arn = f"aws_efs_file_system.{_primary_id(doc)}.arn"
    assert policy.startswith("${jsonencode(")
    deny, allow = policy.split('"Sid" = ')[1:]
    assert '"Effect" = "Deny"' in deny and '"aws:SecureTransport" = "false"' in deny and arn in deny
    assert '"Effect" = "Allow"' in allow
    assert '"elasticfilesystem:AccessedViaMountTarget" = "true"' in allow
    for action in ("ClientMount", "ClientWrite", "ClientRootAccess"):
        assert f'"elasticfilesystem:{action}"' in allow


def test_backups_are_enabled(doc):
    assert only(doc, "aws_efs_backup_policy")["backup_policy"] == {"status": "ENABLED"}


def test_nfs_only_from_the_client_security_group_and_listed_ranges(doc, built):
    rules = _efs_ingress(doc)
    assert all((r["from_port"], r["to_port"], r["ip_protocol"]) == (2049, 2049, "tcp") for r in rules)
    assert all(r.get("description") or r.get("tags", {}).get("Name") for r in rules)
    assert [r["referenced_security_group_id"] for r in rules if "referenced_security_group_id" in r] == [
        CLIENT_SG
    ]
    cidrs = sorted(r["cidr_ipv4"] for r in rules if "cidr_ipv4" in r)
    assert cidrs == sorted([EXTRA_CIDR, *built[1]["dc2"].dmz_cidrs])
    assert "0.0.0.0/0" not in cidrs
    assert not resources(doc, "aws_vpc_security_group_egress_rule")
    sg = resources(doc, "aws_security_group")[_efs_sg_id(doc)]
    assert "ingress" not in sg and "egress" not in sg


def test_replication_to_the_configured_region_into_a_replica_of_the_stack(doc):
    replication = only(doc, "aws_efs_replication_configuration")
    assert replication["destination"] == {"region": "us-west-2",
                                          "file_system_id": ref("aws_efs_file_system", _replica_id(doc))}
    assert replication["source_file_system_id"] == ref(
        "aws_efs_file_system", _primary_id(doc)
    )


def test_the_replica_is_built_in_its_region_open_to_be_replicated_into(doc, built):
    replica = resources(doc, "aws_efs_file_system")[_replica_id(doc)]
    assert replica["provider"] == "aws.dr"
    assert (replica["encrypted"], replica["performance_mode"], replica["throughput_mode"]) == (
        True, "generalPurpose", "elastic")
    assert replica["protection"] == {"replication_overwrite": "DISABLED"}
    assert replica["lifecycle"] == {"ignore_changes": ["creation_token", "protection"]}
    assert replica["creation_token"] == replica["tags"]["Name"] == "portal-dc1-efs-replica"
    assert replica["lifecycle_policy"] == resources(doc, "aws_efs_file_system")[_primary_id(doc)]["lifecycle_policy"]
    assert built[1]["fs"].replica is not None


def test_expose_to_makes_a_private_zone_in_the_other_vpc_with_the_mount_target_ips(doc, built):
    fs_id = _primary_id(doc)
    zone = only(doc, "aws_route53_zone")
    zone_name = "${aws_efs_file_system." + fs_id + ".id}.efs.us-east-1.amazonaws.com"
    assert zone["name"] == zone_name
    assert zone["provider"] == "aws.dc2"
    (dc2_vpc,) = [k for k, v in resources(doc, "aws_vpc").items() if v["cidr_block"] == "10.11.0.0/16"]
    assert zone["vpc"] == [{"vpc_id": ref("aws_vpc", dc2_vpc), "vpc_region": "eu-west-1"}]
    assert "force_destroy" not in zone
    record = only(doc, "aws_route53_record")
    assert record["zone_id"] == ref("aws_route53_zone", _logical_id(doc, "aws_route53_zone"), "zone_id")
    assert (record["name"], record["type"], record["ttl"], record["provider"]) == (
        zone_name,
        "A",
        60,
        "aws.dc2",
    )
    assert sorted(record["records"]) == sorted(
        ref("aws_efs_mount_target", k, "ip_address") for k in resources(doc, "aws_efs_mount_target")
    )
    assert list(built[1]["fs"].private_zone_ids) == ["dc2"]


def test_everything_but_the_exposure_and_the_replica_uses_the_home_datacenter_provider(doc):
    for rtype in (
        "aws_efs_file_system",
        "aws_efs_mount_target",
        "aws_efs_access_point",
        "aws_efs_file_system_policy",
        "aws_efs_backup_policy",
        "aws_efs_replication_configuration",
        "aws_vpc_security_group_ingress_rule",
    ):
        found = {k: r["provider"] for k, r in resources(doc, rtype).items() if k != _replica_id(doc)}
        assert set(found.values()) == {"aws.dc1"}, rtype


def test_attributes(built):
    from cdktf import Token

    fs = built[1]["fs"]
    assert fs.region == "us-east-1"
    assert len(fs.mount_target_ids) == 3 and len(fs.mount_target_ips) == 3
    for value in (
        fs.file_system_id,
        fs.file_system_arn,
        fs.file_system_dns_name,
        fs.access_point_id,
        fs.security_group_id,
        built[1]["zone_id"],
        *fs.mount_target_ips,
    ):
        assert Token.is_unresolved(value)


def test_local_profile_switches_leave_out_policy_backups_and_replication():
    """moto hangs on DeleteFileSystemPolicy and PutBackupPolicy and lacks replication: each can be switched off."""
    from constructs_lib.shared_storage import SharedFileSystem

    def build(stack):
        dc = _datacenter(stack, "lab", "eu-west-1", "10.20.0.0/16")
        fs = SharedFileSystem(
            stack,
            "efs",
            datacenter=dc,
            client_security_group_id=None,
            props=SharedFileSystemProps(tls_policy=False, backup_policy=False, transition_to_ia=None),
        )
        fs.allow_clients_from_security_group("sg-0fedcba9876543210")

    doc = synth_construct(build)
    assert not resources(doc, "aws_efs_file_system_policy")
    assert not resources(doc, "aws_efs_backup_policy")
    assert not resources(doc, "aws_efs_replication_configuration")
    assert only(doc, "aws_efs_file_system")["lifecycle_policy"] == [
        {"transition_to_primary_storage_class": "AFTER_1_ACCESS"}
    ]
    rule = only(doc, "aws_vpc_security_group_ingress_rule")
    assert rule["referenced_security_group_id"] == "sg-0fedcba9876543210" and rule["from_port"] == 2049


# One test per validation rule: the message names the field, the bad value and the fix.
@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        pytest.param(
            {"kms_key_arn": "alias/aws/elasticfilesystem"},
            [
                "file_system.kms_key_arn 'alias/aws/elasticfilesystem' is not a KMS key ARN",
                "arn:aws:kms:<region>:<account>:key/<key-id>",
            ],
            id="kms-arn-shape",
        ),
        pytest.param(
            {"transition_to_ia": "AFTER_45_DAYS"},
            ["file_system.transition_to_ia 'AFTER_45_DAYS' is not an EFS lifecycle value", "AFTER_30_DAYS"],
            id="transition-to-ia",
        ),
        pytest.param(
            {"client_cidrs": ("10.0.0.0/33",)},
            ["file_system.client_cidrs[0] '10.0.0.0/33' is not a valid IPv4 CIDR"],
            id="client-cidr-syntax",
        ),
        pytest.param(
            {"client_cidrs": ("10.1.0.0/16", "0.0.0.0/0")},
            ["file_system.client_cidrs[1] 0.0.0.0/0 opens the port to the whole internet", "never 0.0.0.0/0"],
            id="client-cidr-world",
        ),
        pytest.param(
            {"access_point_path": "apiportal/"},
            ["file_system.access_point_path 'apiportal/' is not an absolute directory path", "/apiportal"],
            id="access-point-path",
        ),
        pytest.param(
            {"posix_uid": -1},
            ["file_system.posix_uid -1 is not a POSIX id", "0 to 4294967295"],
            id="posix-uid",
        ),
        pytest.param(
            {"posix_gid": 2**32}, ["file_system.posix_gid 4294967296 is not a POSIX id"], id="posix-gid"
        ),
        pytest.param(
            {"replication_region": "eu_west_1"},
            ["file_system.replication_region 'eu_west_1' is not a well-formed AWS region"],
            id="replication-region-format",
        ),
    ],
)
def test_validation_rule(overrides, expected):
    with pytest.raises(ConfigError) as err:
        SharedFileSystemProps(**overrides)
    message = str(err.value)
    for fragment in expected:
        assert fragment in message


def _construct_error(props: SharedFileSystemProps, **kwargs) -> str:
    from cdktf import TerraformStack, Testing

    from constructs_lib.shared_storage import SharedFileSystem

    stack = TerraformStack(Testing.app(), "validation")
    dc = _datacenter(stack, "dc1", "us-east-1", "10.10.0.0/16")
    with pytest.raises(ConfigError) as err:
        SharedFileSystem(
            stack, "efs", props=props, datacenter=dc, client_security_group_id=CLIENT_SG, **kwargs
        )
    return str(err.value)


def test_kms_key_must_be_in_the_datacenter_region():
    message = _construct_error(
        SharedFileSystemProps(
            kms_key_arn="arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        )
    )
    assert (
        "file_system.kms_key_arn is a key in region eu-west-1 but the datacenter is in region us-east-1"
        in message
    )
    assert "use a key created in us-east-1" in message


def test_a_replica_needs_the_provider_of_its_region():
    message = _construct_error(SharedFileSystemProps(replication_region="us-west-2"))
    assert ("file_system.replication_region is us-west-2, but no replica_provider was passed: pass the AwsProvider "
            "of us-west-2 as replica_provider=") in message
    assert "or name an existing replica with file_system.replica_file_system_id" in message


def test_the_replica_provider_must_be_of_the_replication_region():
    from cdktf import TerraformStack, Testing

    stack = TerraformStack(Testing.app(), "other")
    message = _construct_error(SharedFileSystemProps(replication_region="us-west-2"),
                               replica_provider=_provider(stack, "dr", "eu-central-1"))
    assert ("replica_provider is the provider of eu-central-1, not of file_system.replication_region us-west-2: "
            "pass the AwsProvider of us-west-2") in message


def test_a_replica_provider_without_a_replica_to_build_is_refused():
    from cdktf import TerraformStack, Testing

    stack = TerraformStack(Testing.app(), "other")
    message = _construct_error(SharedFileSystemProps(), replica_provider=_provider(stack, "dr", "us-west-2"))
    assert "replica_provider is passed, but there is no replica to build" in message
    message = _construct_error(
        SharedFileSystemProps(replication_region="us-west-2", replica_file_system_id="fs-0123456789abcdef0"),
        replica_provider=_provider(stack, "dr2", "us-west-2"))
    assert "replica_provider is passed, but there is no replica to build" in message


def test_an_existing_replica_is_replicated_into_and_not_built():
    from constructs_lib.shared_storage import SharedFileSystem

    def build(stack):
        dc = _datacenter(stack, "dc1", "us-east-1", "10.10.0.0/16")
        SharedFileSystem(stack, "efs", datacenter=dc, client_security_group_id=CLIENT_SG,
                         props=SharedFileSystemProps(replication_region="us-west-2",
                                                     replica_file_system_id="fs-0123456789abcdef0"))

    doc = synth_construct(build)
    assert len(resources(doc, "aws_efs_file_system")) == 1
    assert only(doc, "aws_efs_replication_configuration")["destination"] == {
        "region": "us-west-2", "file_system_id": "fs-0123456789abcdef0"}


def test_replication_region_must_differ_from_the_source():
    message = _construct_error(SharedFileSystemProps(replication_region="us-east-1"))
    assert "file_system.replication_region us-east-1 is the file system's own region" in message
    assert "replicate to another region" in message


def test_allow_clients_from_refuses_the_whole_internet(built):
    with pytest.raises(ConfigError) as err:
        built[1]["fs"].allow_clients_from("0.0.0.0/0", "everyone")
    assert "0.0.0.0/0 opens the port to the whole internet" in str(err.value)


def test_expose_to_refuses_the_home_datacenter_and_a_second_call(built):
    fs, dc1, dc2 = built[1]["fs"], built[1]["dc1"], built[1]["dc2"]
    with pytest.raises(ConfigError) as err:
        fs.expose_to(dc1)
    assert "dc1 is the file system's own datacenter" in str(err.value)
    with pytest.raises(ConfigError) as err:
        fs.expose_to(dc2)
    assert "expose_to(dc2) was called twice" in str(err.value)
