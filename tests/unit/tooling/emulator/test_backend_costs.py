"""The two extensions that change what building moto's backends costs, not what any API answers: the IAM
managed-policy table read once per process, and a reset that drops backends without building them again.
In this process, against moto with and without the extensions."""

from __future__ import annotations

import boto3
import pytest
from moto.core.base_backend import BackendDict
from moto.ec2.models import EC2Backend
from moto.iam.models import AWSManagedPolicy, IAMBackend, iam_backends
from moto.s3.models import S3Backend

from portal_ha.emulator import extensions

ACCOUNT = "123456789012"


def _policies(backend):
    return {p.arn: (p.name, p.path, p.default_version_id, [(v.version_id, v.document) for v in p.versions],
                    p.create_date, p.update_date) for p in backend.managed_policies.values()}


@pytest.fixture
def managed_policies(monkeypatch):
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")


def test_each_iam_backend_has_moto_s_managed_policies_field_for_field(managed_policies, monkeypatch):
    plain = _policies(IAMBackend("aws", ACCOUNT))
    parsed: list[str] = []
    own = AWSManagedPolicy.from_data.__func__
    monkeypatch.setattr(AWSManagedPolicy, "from_data",
                        classmethod(lambda cls, name, *a: parsed.append(name) or own(cls, name, *a)))
    with extensions.applied():
        extended = _policies(IAMBackend("aws", ACCOUNT))
    assert parsed == [], "the extended backend parsed moto's table again"
    assert len(plain) > 1000
    assert extended == plain
    assert "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" in extended


def test_iam_backends_do_not_share_their_policies(managed_policies):
    with extensions.applied():
        first, second = IAMBackend("aws", ACCOUNT), IAMBackend("aws", "210987654321")
    arn = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
    first.managed_policies[arn].attachment_count += 1
    assert second.managed_policies[arn].attachment_count == 0
    assert first.managed_policies[arn] is not second.managed_policies[arn]


def test_without_the_setting_there_are_no_managed_policies(monkeypatch):
    monkeypatch.delenv("MOTO_IAM_LOAD_MANAGED_POLICIES", raising=False)
    with extensions.applied():
        assert IAMBackend("aws", ACCOUNT).managed_policies == {}


def _count_builds(monkeypatch, *classes):
    built: list[str] = []
    for cls in classes:
        own = cls.__init__

        def init(self, *args, _own=own, _name=cls.__name__, **kwargs):
            built.append(_name)
            _own(self, *args, **kwargs)

        monkeypatch.setattr(cls, "__init__", init)
    return built


def _touch_backends():
    ec2 = boto3.client("ec2", region_name="eu-west-1")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    boto3.client("iam", region_name="us-east-1").create_role(RoleName="r", AssumeRolePolicyDocument="{}")
    return ec2, vpc


def test_plain_moto_builds_every_backend_again_at_a_reset(aws, monkeypatch):
    _touch_backends()
    built = _count_builds(monkeypatch, EC2Backend, IAMBackend)
    BackendDict.reset()
    assert "EC2Backend" in built and "IAMBackend" in built


def test_a_reset_builds_no_backend_and_leaves_everything_empty(aws, monkeypatch):
    with extensions.applied():
        ec2, vpc = _touch_backends()
        built = _count_builds(monkeypatch, EC2Backend, IAMBackend)
        BackendDict.reset()
        assert built == []
        assert vpc not in [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]]
        assert boto3.client("iam", region_name="us-east-1").list_roles()["Roles"] == []
        assert ACCOUNT in iam_backends  # built again on demand by the requests above, empty


def test_a_reset_still_lets_a_backend_release_what_it_holds(aws, monkeypatch):
    released: list[str] = []
    own = S3Backend.reset

    def reset(self):
        released.append(self.account_id)
        own(self)

    monkeypatch.setattr(S3Backend, "reset", reset)
    with extensions.applied():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="portal-files")
        s3.put_object(Bucket="portal-files", Key="k", Body=b"x")
        BackendDict.reset()
        assert released == [ACCOUNT]
        assert s3.list_buckets()["Buckets"] == []
