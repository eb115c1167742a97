"""PortalFleet: synthesized instances, firewall and role; rendered user data; one test per validation rule."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from types import SimpleNamespace

import pytest

from constructs_lib import ConfigError
from constructs_lib.api_manager import ApiManagerProps
from constructs_lib.portal_fleet import AL2023_AMI_PARAMETER, SSM_MANAGED_POLICY, PortalFleet, PortalFleetProps
from constructs_lib.user_data import SHARED_PATHS, EfsMount, render_user_data
from tests.unit.helpers import ref, resources, synth_construct

AZS = ("us-east-1a", "us-east-1b", "us-east-1c")
INSTALL_SCRIPT = "#!/bin/bash\necho \"installing into ${HOME}\" $PATH\n/opt/apiportal/install --unattended\n"
INSTALLER_URI = "s3://portal-artifacts/apiportal/install.sh"
EFS = EfsMount(file_system_id="fs-0123456789abcdef0", access_point_id="fsap-0123456789abcdef0",
               region="eu-west-1")


@pytest.fixture(scope="module")
def synth():
    """One stack: a datacenter, its load balancer, fixed fleets: EFS (S3 installer) and local volumes.
    (The Auto Scaling shape is in test_fleet_group.)"""
    from cdktf import TerraformVariable
    from cdktf_cdktf_provider_aws.efs_access_point import EfsAccessPoint
    from cdktf_cdktf_provider_aws.efs_file_system import EfsFileSystem
    from cdktf_cdktf_provider_aws.provider import AwsProvider

    from constructs_lib.datacenter_lb import DatacenterLoadBalancer, DatacenterLoadBalancerProps
    from constructs_lib.network import Datacenter, DatacenterProps

    handles = SimpleNamespace()

    def build(stack):
        provider = AwsProvider(stack, "aws", region="us-east-1")
        dc = Datacenter(stack, "dc", provider=provider,
                        props=DatacenterProps(name="dc1", region="us-east-1", azs=AZS, flow_logs=False))
        lb = DatacenterLoadBalancer(stack, "lb", props=DatacenterLoadBalancerProps(), datacenter=dc)
        fs = EfsFileSystem(stack, "fs", provider=provider, encrypted=True)
        ap = EfsAccessPoint(stack, "ap", provider=provider, file_system_id=fs.id)
        efs_fleet = PortalFleet(
            stack, "efsfleet", datacenter=dc, lb_security_group_id=lb.security_group_id,
            props=PortalFleetProps(
                efs=EfsMount(file_system_id=fs.id, access_point_id=ap.id, region="us-east-1"),
                installer_s3_uri=INSTALLER_URI, auto_scaling=False),
        )
        peer = TerraformVariable(stack, "peer_cidr", type="string")
        efs_fleet.allow_egress("10.20.128.0/20", 2049, "NFS to the primary datacenter")
        efs_fleet.allow_egress("10.20.128.0/20", 2049, "NFS to the primary datacenter")
        peer_cidr = peer.string_value
        efs_fleet.allow_egress(peer_cidr, 2049, "NFS to a peer given at plan time")
        efs_fleet.allow_egress(peer_cidr, 2049, "NFS to a peer given at plan time")
        local_fleet = PortalFleet(
            stack, "localfleet", datacenter=dc, lb_security_group_id=lb.security_group_id,
            props=PortalFleetProps(name="portal-dc1-local", instance_count=4, data_volume_gb=50,
                                   ami_id="ami-0123456789abcdef0", detailed_monitoring=False,
                                   root_volume_size_gb=40, install_script=INSTALL_SCRIPT,
                                   api_manager=ApiManagerProps(host="apimanager.example.com",
                                                               cidrs=("10.50.0.0/24", "10.51.0.0/24"))),
        )
        lb.attach_instances(efs_fleet.instance_ids)
        handles.dc, handles.lb, handles.efs_fleet, handles.local_fleet = dc, lb, efs_fleet, local_fleet

    handles.doc = synth_construct(build)
    return handles


def _of(doc, rtype, construct_id, section="resource"):
    """Resources (or data sources) of one type under the construct with this id (by logical id prefix)."""
    return {k: v for k, v in doc.get(section, {}).get(rtype, {}).items() if k.startswith(f"{construct_id}_")}


def _one_id(doc, rtype, construct_id):
    found = list(_of(doc, rtype, construct_id))
    assert len(found) == 1, f"expected one {rtype} in {construct_id}, found {found}"
    return found[0]


def _instances(doc, construct_id):
    found = _of(doc, "aws_instance", construct_id)
    return [found[k] for k in sorted(found, key=lambda k: int(re.search(r"instance-(\d+)_", k).group(1)))]


def _dmz_subnets(doc):
    """Subnet reference -> AZ, for the DMZ tier."""
    return {ref("aws_subnet", k): s["availability_zone"] for k, s in resources(doc, "aws_subnet").items()
            if s["tags"]["Tier"] == "dmz"}


# --- Placement ----------------------------------------------------------------------------------------------

def test_default_fleet_has_two_instances_in_distinct_dmz_subnets_and_azs(synth):
    instances = _instances(synth.doc, "efsfleet")
    assert len(instances) == 2
    dmz = _dmz_subnets(synth.doc)
    subnets = [i["subnet_id"] for i in instances]
    assert all(s in dmz for s in subnets), "portal instances must sit in DMZ subnets"
    assert len({dmz[s] for s in subnets}) == 2, "the two instances share an AZ"
    assert synth.efs_fleet.instance_azs == ["us-east-1a", "us-east-1b"]
    assert [dmz[s] for s in subnets] == synth.efs_fleet.instance_azs


def test_instances_are_placed_round_robin_over_the_azs(synth):
    dmz = _dmz_subnets(synth.doc)
    azs = [dmz[i["subnet_id"]] for i in _instances(synth.doc, "localfleet")]
    assert azs == ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1a"]
    assert synth.local_fleet.instance_azs == azs


def test_attributes_hold_one_entry_per_instance(synth):
    assert len(synth.efs_fleet.instance_ids) == 2 and len(synth.efs_fleet.instance_private_ips) == 2
    assert len(synth.local_fleet.instance_ids) == 4
    assert len(set(synth.local_fleet.instance_ids)) == 4
    for attr in ("security_group_id", "role_name", "instance_profile_name"):
        assert isinstance(getattr(synth.efs_fleet, attr), str)


# --- Instance hardening -------------------------------------------------------------------------------------

def test_imdsv2_required_no_public_ip_no_key_pair(synth):
    dmz = _dmz_subnets(synth.doc)
    for key, subnet in resources(synth.doc, "aws_subnet").items():
        if ref("aws_subnet", key) in dmz:
            assert subnet["map_public_ip_on_launch"] is False
    for instance in _instances(synth.doc, "efsfleet") + _instances(synth.doc, "localfleet"):
        assert instance["metadata_options"] == {
            "http_tokens": "required", "http_endpoint": "enabled", "http_put_response_hop_limit": 1}
        assert "associate_public_ip_address" not in instance, "left to the subnet: moto mishandles it"
        assert "key_name" not in instance
        assert instance["ebs_optimized"] is True


def test_root_volume_is_encrypted_gp3_with_explicit_size(synth):
    for construct_id, size in (("efsfleet", 30), ("localfleet", 40)):
        for instance in _instances(synth.doc, construct_id):
            root = instance["root_block_device"]
            assert root["encrypted"] is True and root["volume_type"] == "gp3"
            assert root["volume_size"] == size


def test_detailed_monitoring_follows_the_prop(synth):
    assert all(i["monitoring"] is True for i in _instances(synth.doc, "efsfleet"))
    assert all(i["monitoring"] is False for i in _instances(synth.doc, "localfleet"))


def test_ami_comes_from_the_ssm_parameter_and_is_kept_after_launch(synth):
    (param_id,) = _of(synth.doc, "aws_ssm_parameter", "efsfleet", "data")
    assert synth.doc["data"]["aws_ssm_parameter"][param_id]["name"] == AL2023_AMI_PARAMETER
    for instance in _instances(synth.doc, "efsfleet"):
        assert instance["ami"] == "${data.aws_ssm_parameter." + param_id + ".insecure_value}"
        assert instance["lifecycle"] == {"ignore_changes": ["ami"]}


def test_explicit_ami_overrides_the_parameter(synth):
    assert not _of(synth.doc, "aws_ssm_parameter", "localfleet", "data")
    for instance in _instances(synth.doc, "localfleet"):
        assert instance["ami"] == "ami-0123456789abcdef0"
        assert "lifecycle" not in instance


def test_user_data_replaces_instances_and_names_are_tagged(synth):
    instances = _instances(synth.doc, "efsfleet")
    assert all(i["user_data_replace_on_change"] is True for i in instances)
    assert [i["tags"]["Name"] for i in instances] == ["portal-dc1-portal-0", "portal-dc1-portal-1"]
    assert [i["tags"]["Name"] for i in _instances(synth.doc, "localfleet")] == [
        f"portal-dc1-local-{n}" for n in range(4)]


def test_local_storage_adds_an_encrypted_data_volume_per_instance(synth):
    for instance in _instances(synth.doc, "localfleet"):
        assert instance["ebs_block_device"] == [{
            "device_name": "/dev/sdf", "volume_type": "gp3", "volume_size": 50, "encrypted": True,
            "delete_on_termination": True}]
    assert all("ebs_block_device" not in i for i in _instances(synth.doc, "efsfleet"))


# --- IAM ----------------------------------------------------------------------------------------------------

def test_instance_profile_carries_the_ssm_managed_policy(synth):
    doc = synth.doc
    role_id = _one_id(doc, "aws_iam_role", "efsfleet")
    role = resources(doc, "aws_iam_role")[role_id]
    assert role["name"] == "portal-dc1-portal"
    assert "ec2.amazonaws.com" in role["assume_role_policy"]
    profile_id = _one_id(doc, "aws_iam_instance_profile", "efsfleet")
    profile = resources(doc, "aws_iam_instance_profile")[profile_id]
    assert profile["role"] == ref("aws_iam_role", role_id, "name")
    (attachment,) = _of(doc, "aws_iam_role_policy_attachment", "efsfleet").values()
    assert attachment["policy_arn"] == SSM_MANAGED_POLICY
    assert SSM_MANAGED_POLICY == "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
    assert attachment["role"] == ref("aws_iam_role", role_id, "name")
    for instance in _instances(doc, "efsfleet"):
        assert instance["iam_instance_profile"] == ref("aws_iam_instance_profile", profile_id, "name")


def test_s3_installer_gets_read_access_to_its_object_only(synth):
    policies = {p["name"]: p for p in _of(synth.doc, "aws_iam_role_policy", "efsfleet").values()}
    read = policies["read-installer"]["policy"]
    assert '"s3:GetObject"' in read
    assert ":s3:::portal-artifacts/apiportal/install.sh" in read
    assert "s3:*" not in read
    local = {p["name"] for p in _of(synth.doc, "aws_iam_role_policy", "localfleet").values()}
    assert "read-installer" not in local


def test_efs_fleet_may_mount_its_file_system_through_the_access_point(synth):
    policies = {p["name"]: p for p in _of(synth.doc, "aws_iam_role_policy", "efsfleet").values()}
    efs = policies["efs-client"]["policy"]
    assert "elasticfilesystem:ClientMount" in efs and "elasticfilesystem:ClientWrite" in efs
    assert "file-system/${aws_efs_file_system.fs.id}" in efs
    assert "access-point/${aws_efs_access_point.ap.id}" in efs
    local = {p["name"] for p in _of(synth.doc, "aws_iam_role_policy", "localfleet").values()}
    assert "efs-client" not in local


# --- Firewall -----------------------------------------------------------------------------------------------

def test_instances_accept_only_443_from_the_load_balancer(synth):
    doc = synth.doc
    fleet_sg = ref("aws_security_group", _one_id(doc, "aws_security_group", "efsfleet"))
    lb_sg = ref("aws_security_group", _one_id(doc, "aws_security_group", "lb"))
    ingress = [r for r in resources(doc, "aws_vpc_security_group_ingress_rule").values()
               if r["security_group_id"] == fleet_sg]
    assert len(ingress) == 1
    (rule,) = ingress
    assert (rule["ip_protocol"], rule["from_port"], rule["to_port"]) == ("tcp", 443, 443)
    assert rule["referenced_security_group_id"] == lb_sg
    assert "cidr_ipv4" not in rule and rule["tags"]["Name"]
    assert all(i["vpc_security_group_ids"] == [fleet_sg] for i in _instances(doc, "efsfleet"))


def test_no_open_ingress_except_443_on_the_load_balancer(synth):
    doc = synth.doc
    lb_sg = ref("aws_security_group", _one_id(doc, "aws_security_group", "lb"))
    open_rules = [r for r in resources(doc, "aws_vpc_security_group_ingress_rule").values()
                  if r.get("cidr_ipv4") == "0.0.0.0/0"]
    assert open_rules, "the load balancer must be reachable"
    for rule in open_rules:
        assert rule["security_group_id"] == lb_sg and (rule["from_port"], rule["to_port"]) == (443, 443)
    for sg in resources(doc, "aws_security_group").values():
        assert "ingress" not in sg and "egress" not in sg, "rules belong in separate rule resources"


def test_egress_to_https_and_the_internal_tier(synth):
    doc = synth.doc
    fleet_sg = ref("aws_security_group", _one_id(doc, "aws_security_group", "efsfleet"))
    egress = [r for r in resources(doc, "aws_vpc_security_group_egress_rule").values()
              if r["security_group_id"] == fleet_sg]
    assert all(r["description"] and r["ip_protocol"] == "tcp" and r["from_port"] == r["to_port"]
               for r in egress)
    got = sorted((r["cidr_ipv4"], r["from_port"]) for r in egress)
    internal = synth.dc.internal_cidrs
    expected = sorted([("0.0.0.0/0", 443), ("10.20.128.0/20", 2049), ("${var.peer_cidr}", 2049)]
                      + [(c, p) for c in internal for p in (2049, 3306)])
    assert got == expected, "allow_egress called twice must add one rule"


def test_api_manager_gets_its_port_to_its_ranges_and_nothing_else(synth):
    doc = synth.doc
    fleet_sg = ref("aws_security_group", _one_id(doc, "aws_security_group", "localfleet"))
    egress = [r for r in resources(doc, "aws_vpc_security_group_egress_rule").values()
              if r["security_group_id"] == fleet_sg]
    manager = sorted((r["cidr_ipv4"], r["from_port"], r["to_port"]) for r in egress if r["from_port"] == 8075)
    assert manager == [("10.50.0.0/24", 8075, 8075), ("10.51.0.0/24", 8075, 8075)]
    assert all("API Manager apimanager.example.com" in r["description"] for r in egress if r["from_port"] == 8075)
    assert len(egress) == 1 + 2 * len(synth.dc.internal_cidrs) + 2  # HTTPS, NFS and MySQL, and API Manager only
    efs_sg = ref("aws_security_group", _one_id(doc, "aws_security_group", "efsfleet"))
    assert not [r for r in resources(doc, "aws_vpc_security_group_egress_rule").values()
                if r["security_group_id"] == efs_sg and r["from_port"] == 8075], "no api_manager: no rule"


def test_allow_egress_rejects_bad_input(synth):
    with pytest.raises(ConfigError) as err:
        synth.efs_fleet.allow_egress("10.0.0.0/33", 70000, " ")
    message = str(err.value)
    assert "fleet.allow_egress cidr '10.0.0.0/33' is not a valid IPv4 CIDR" in message
    assert "fleet.allow_egress port 70000 is out of range" in message
    assert "fleet.allow_egress description is empty" in message


# --- User data, as synthesized ------------------------------------------------------------------------------

def test_synthesized_user_data_references_the_file_system_and_access_point(synth):
    for instance in _instances(synth.doc, "efsfleet"):
        user_data = instance["user_data"]
        assert "EFS_FILE_SYSTEM_ID='${aws_efs_file_system.fs.id}'" in user_data
        assert "EFS_ACCESS_POINT_ID='${aws_efs_access_point.ap.id}'" in user_data
        assert "TfToken" not in user_data
        assert "\nrun_s3_installer\n" not in user_data and "  run_s3_installer\n" in user_data


def test_synthesized_user_data_carries_the_install_script_encoded(synth):
    user_data = _instances(synth.doc, "localfleet")[0]["user_data"]
    (encoded,) = re.findall(r"^  run_install_script '([A-Za-z0-9+/=]+)'$", user_data, re.M)
    assert base64.b64decode(encoded).decode() == INSTALL_SCRIPT
    assert "${HOME}" not in user_data, "a literal dollar-brace would become a Terraform interpolation"


# --- User data, rendered ------------------------------------------------------------------------------------

def _lines(text: str) -> list[str]:
    return text.splitlines()


def test_shared_paths_are_the_seed_list():
    assert SHARED_PATHS == (
        "images", "media/com_easydiscuss", "language", "administrator/language",
        "administrator/manifests/packages", "templates/purity_iii",
        "administrator/components/com_apiportal/assets/cert", "components/com_apiportal/assets/img/menu",
        "components/com_apiportal/views",
    )


def test_efs_user_data_mounts_through_the_access_point_and_binds_every_shared_path():
    text = render_user_data(efs=EFS)
    lines = _lines(text)
    assert "EFS_FILE_SYSTEM_ID='fs-0123456789abcdef0'" in lines
    assert "EFS_ACCESS_POINT_ID='fsap-0123456789abcdef0'" in lines
    assert "EFS_REGION='eu-west-1'" in lines
    assert "dnf install -y amazon-efs-utils" in text
    assert 'sed -i -E "s|^#? *region *=.*|region = $EFS_REGION|" "$conf"' in text
    assert ('"$EFS_FILE_SYSTEM_ID:/ $SHARED_MOUNT efs '
            'tls,iam,accesspoint=$EFS_ACCESS_POINT_ID,_netdev,noresvport 0 0" >> /etc/fstab') in text
    assert "SHARED_MOUNT=/mnt/portal-shared" in lines
    assert "setup_efs" in lines and "setup_data_volume" not in lines
    for path in SHARED_PATHS:
        assert f"bind_shared \"$SHARED_MOUNT\" '{path}'" in lines, path
    assert 'echo "$source $target none bind,x-systemd.requires-mounts-for=$1 0 0" >> /etc/fstab' in text
    assert lines.index("setup_efs") < lines.index("bind_shared \"$SHARED_MOUNT\" 'images'")


def test_data_volume_user_data_formats_mounts_and_binds_every_shared_path():
    text = render_user_data(data_volume=True)
    lines = _lines(text)
    assert "DATA_DEVICE='/dev/sdf'" in lines and "DATA_MOUNT=/mnt/portal-data" in lines
    assert "ebsnvme-id -b" in text, "the NVMe device behind /dev/sdf must be found"
    assert 'if ! blkid "$device"' in text and 'mkfs.xfs -L portal-data "$device"' in text
    assert 'echo "UUID=$uuid $DATA_MOUNT xfs defaults,nofail 0 2" >> /etc/fstab' in text
    assert "setup_data_volume" in lines and "setup_efs" not in lines
    for path in SHARED_PATHS:
        assert f"bind_shared \"$DATA_MOUNT\" '{path}'" in lines, path
    assert "EFS_FILE_SYSTEM_ID=''" in lines


def test_without_storage_the_shared_paths_stay_on_the_root_volume():
    lines = _lines(render_user_data())
    assert not [line for line in lines if line.startswith("bind_shared ")]
    assert "setup_efs" not in lines and "setup_data_volume" not in lines


def test_every_shared_path_is_created_under_the_htdoc():
    lines = _lines(render_user_data())
    assert "PORTAL_HTDOC=/opt/axway/apiportal/htdoc" in lines
    for path in SHARED_PATHS:
        assert f'install -d "$PORTAL_HTDOC/{path}"' in lines, path


def test_apache_serves_tls_on_443_with_a_health_page():
    text = render_user_data()
    assert "dnf install -y httpd mod_ssl openssl" in text
    assert 'if [ ! -s "$crt" ] || [ ! -s "$key" ]; then' in text
    assert "openssl req -x509 -nodes -newkey rsa:2048" in text
    assert "crt=/etc/pki/tls/certs/localhost.crt key=/etc/pki/tls/private/localhost.key" in text
    assert "Alias /healthz /var/www/portal-healthz/healthz.html" in text
    assert "systemctl enable httpd" in text
    lines = _lines(text)
    assert lines.index("install_apache") < lines.index('install -d -m 755 "$PORTAL_HTDOC"')


def test_install_script_hook_runs_after_storage_and_logs_locally():
    text = render_user_data(efs=EFS, install_script=INSTALL_SCRIPT)
    lines = _lines(text)
    (call,) = [i for i, line in enumerate(lines) if line.startswith("  run_install_script '")]
    encoded = lines[call].split("'")[1]
    assert base64.b64decode(encoded).decode() == INSTALL_SCRIPT
    assert call > lines.index("bind_shared \"$SHARED_MOUNT\" 'components/com_apiportal/views'")
    assert "INSTALL_LOG=/var/log/portal-install.log" in lines
    assert '"$INSTALL_DIR/install.sh" >> "$INSTALL_LOG" 2>&1' in text
    assert "run_s3_installer" not in [line.strip() for line in lines]


def test_s3_installer_hook_downloads_then_runs():
    text = render_user_data(data_volume=True, installer_s3_uri=INSTALLER_URI)
    lines = _lines(text)
    assert f"INSTALLER_S3_URI='{INSTALLER_URI}'" in lines
    assert ('aws s3 cp --only-show-errors --region "$region" "$INSTALLER_S3_URI" "$INSTALL_DIR/installer"'
            in text)
    assert '"$INSTALL_DIR/installer" >> "$INSTALL_LOG" 2>&1' in text
    assert "  run_s3_installer" in lines
    assert lines.index("  run_s3_installer") > lines.index("bind_shared \"$DATA_MOUNT\" 'images'")


def test_without_hook_nothing_is_run():
    lines = [line.strip() for line in _lines(render_user_data())]
    assert "log 'no install hook configured'" in lines
    assert not [line for line in lines
                if line.startswith("run_install_script '") or line == "run_s3_installer"]


def test_token_install_script_is_encoded_by_terraform():
    from cdktf import Fn, Token

    token = Fn.lower("ECHO HI")
    text = render_user_data(install_script=token)
    assert Token.is_unresolved(text)
    assert base64.b64encode(token.encode()).decode() not in text


def test_rendered_text_is_strict_and_free_of_terraform_interpolation():
    for text in (render_user_data(efs=EFS, install_script=INSTALL_SCRIPT),
                 render_user_data(data_volume=True, installer_s3_uri=INSTALLER_URI), render_user_data()):
        assert text.startswith("#!/bin/bash\n")
        assert "set -euo pipefail" in _lines(text)
        assert "${" not in text and "%{" not in text


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
@pytest.mark.parametrize("kwargs", [
    pytest.param({"efs": EFS, "install_script": INSTALL_SCRIPT}, id="efs-script"),
    pytest.param({"data_volume": True, "installer_s3_uri": INSTALLER_URI}, id="volume-s3"),
    pytest.param({}, id="plain"),
])
def test_rendered_script_parses_as_bash(kwargs, tmp_path):
    script = tmp_path / "user_data.sh"
    script.write_text(render_user_data(**kwargs))
    result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_render_rejects_two_storages_or_two_hooks():
    with pytest.raises(ConfigError) as err:
        render_user_data(efs=EFS, data_volume=True, install_script="x", installer_s3_uri=INSTALLER_URI)
    assert "efs and data_volume are both set" in str(err.value)
    assert "install_script and installer_s3_uri are both set" in str(err.value)


# --- Validation: one test per rule --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        pytest.param({"instance_count": 1}, ["fleet.instance_count 1 is below the HA minimum of 2",
                                             "set allow_single_instance=True for a lab"],
                     id="below-ha-minimum"),
        pytest.param({"instance_count": 0}, ["fleet.instance_count 0 is below 1"], id="zero"),
        pytest.param({"instance_count": 21}, ["fleet.instance_count 21 is above 20", "use at most 20"],
                     id="too-many"),
        pytest.param({"instance_count": "2"}, ["fleet.instance_count '2' is not an integer"], id="not-int"),
        pytest.param({"instance_type": "large"}, ["fleet.instance_type 'large' is not an EC2 instance type",
                                                  "such as m6i.large"], id="instance-type-shape"),
        pytest.param({"instance_type": "m7g.large"}, ["m7g.large is an arm64 (Graviton) type",
                                                      "names an x86_64 image"], id="arm64-on-x86-ami"),
        pytest.param({"ami_id": "ami-xyz"}, ["fleet.ami_id 'ami-xyz' is not an AMI id",
                                             "8 to 17 hex digits"], id="ami-id"),
        pytest.param({"ami_ssm_parameter": "latest ami!"},
                     ["fleet.ami_ssm_parameter 'latest ami!' is not an SSM parameter name"],
                     id="ami-parameter"),
        pytest.param({"root_volume_size_gb": 4},
                     ["fleet.root_volume_size_gb 4 is out of range", "8 to 16384"],
                     id="root-volume-size"),
        pytest.param({"data_volume_gb": 0},
                     ["fleet.data_volume_gb 0 is out of range", "None for no data volume"],
                     id="data-volume-size"),
        pytest.param({"efs": EFS, "data_volume_gb": 20},
                     ["fleet.efs and fleet.data_volume_gb are both set", "set only one"],
                     id="efs-and-volume"),
        pytest.param({"install_script": "echo hi", "installer_s3_uri": INSTALLER_URI},
                     ["fleet.install_script and fleet.installer_s3_uri are both set"], id="two-hooks"),
        pytest.param({"install_script": "  \n"}, ["fleet.install_script is empty"], id="empty-script"),
        pytest.param({"installer_s3_uri": "https://bucket.s3.amazonaws.com/x.sh"},
                     ["fleet.installer_s3_uri 'https://bucket.s3.amazonaws.com/x.sh' is not an S3 object URI",
                      "use s3://bucket/key"], id="installer-uri"),
        pytest.param({"installer_s3_uri": "s3://bucket-only"}, ["is not an S3 object URI"],
                     id="installer-no-key"),
        pytest.param({"install_script": "echo x\n" * 3000},
                     ["above the EC2 limit of 16384", "set installer_s3_uri instead"], id="user-data-size"),
        pytest.param({"name": "Portal_Fleet"}, ["fleet.name 'Portal_Fleet' must be lower-case letters"],
                     id="name-characters"),
        pytest.param({"name": "p" * 65}, ["fleet.name", "is 65 characters: use at most 64"],
                     id="name-length"),
    ],
)
def test_validation_rule(overrides, expected):
    with pytest.raises(ConfigError) as err:
        PortalFleetProps(**overrides)
    message = str(err.value)
    for fragment in expected:
        assert fragment in message


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        pytest.param({"file_system_id": "efs-1"},
                     "fleet.efs.file_system_id 'efs-1' is not an EFS file system id",
                     id="file-system-id"),
        pytest.param({"access_point_id": "ap-1"},
                     "fleet.efs.access_point_id 'ap-1' is not an EFS access point id",
                     id="access-point-id"),
        pytest.param({"region": "europe"}, "fleet.efs.region 'europe' is not a well-formed AWS region name",
                     id="region"),
    ],
)
def test_efs_mount_validation_rule(overrides, expected):
    base = {"file_system_id": "fs-12345678", "access_point_id": "fsap-12345678", "region": "us-east-1"}
    with pytest.raises(ConfigError) as err:
        EfsMount(**(base | overrides))
    assert expected in str(err.value)


def test_lab_opt_out_allows_a_single_instance():
    props = PortalFleetProps(instance_count=1, allow_single_instance=True)
    assert props.instance_count == 1


def test_efs_values_may_be_tokens():
    from cdktf import Fn

    mount = EfsMount(file_system_id=Fn.lower("FS"), access_point_id=Fn.lower("AP"), region=Fn.lower("REGION"))
    assert PortalFleetProps(efs=mount).efs is mount


def test_all_problems_are_reported_at_once():
    with pytest.raises(ConfigError) as err:
        PortalFleetProps(instance_count=1, instance_type="big", root_volume_size_gb=1)
    assert len(err.value.problems) == 3


def test_instances_need_distinct_azs_before_any_resource_is_made():
    from cdktf import TerraformStack, Testing

    stack = TerraformStack(Testing.app(), "one-az")
    one_az = SimpleNamespace(provider=None, name="odd", resource_name="portal-odd",
                             dmz_subnet_ids=["subnet-1"])
    with pytest.raises(ConfigError) as err:
        PortalFleet(stack, "fleet", props=PortalFleetProps(), datacenter=one_az, lb_security_group_id="sg-1")
    message = str(err.value)
    assert "fleet.instance_count 2 needs distinct AZs but datacenter odd has 1 DMZ subnet(s)" in message
    assert stack.node.find_child("fleet").node.children == []
