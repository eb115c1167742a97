"""PortalFleetProps: what the portal instances of one datacenter are, validated when made.

Every default is the HA and security choice; lab options are explicit. The construct is ``PortalFleet``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .api_manager import ApiManagerProps
from .errors import Problem, Problems, Ref
from .thresholds import MIN_PORTAL_INSTANCES, PORTAL_PORT
from .user_data import EfsMount, render_user_data
from .validation import check_name, is_int, known

AL2023_AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
SSM_MANAGED_POLICY = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
HTTPS, NFS, MYSQL = PORTAL_PORT, 2049, 3306
MIN_INSTANCES, MAX_INSTANCES = MIN_PORTAL_INSTANCES, 20
MIN_ROOT_GB, MAX_VOLUME_GB = 8, 16384  # AL2023 images need 8 GiB; gp3 volumes go up to 16 TiB
MAX_USER_DATA_BYTES = 16384  # EC2 limit on user data before base64 encoding
MAX_IAM_ROLE_NAME = 64
DEFAULT_HEALTH_CHECK_GRACE_SECONDS = 300  # AWS's default HealthCheckGracePeriod
MAX_HEALTH_CHECK_GRACE_SECONDS = 7200

AMI_PATTERN = re.compile(r"^ami-[0-9a-f]{8,17}$")
INSTANCE_TYPE_PATTERN = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9][a-z0-9-]*$")
# Graviton (arm64) families: a digit then "g" (m6g, c7gn, t4g, x2gd, im4gn, is4gen, g5g) and a1.
ARM64_FAMILY_PATTERN = re.compile(r"^([a-z]+\d+g[a-z]*|a1)\.")
SSM_PARAMETER_PATTERN = re.compile(r"^/?[A-Za-z0-9_.\-]+(/[A-Za-z0-9_.\-]+)*$")
S3_URI_PATTERN = re.compile(r"^s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(.+)$")


@dataclass(frozen=True, kw_only=True)
class PortalFleetProps:
    """The portal instances of one datacenter. Every default is the HA and security choice; lab options are
    explicit."""

    instance_count: int = 2
    """Number of portal instances, placed round robin over the AZs. Default: 2, the seed's HA minimum."""
    allow_single_instance: bool = False
    """Lab opt-out: allow ``instance_count=1`` (no HA). Default: fewer than 2 instances is a config error."""
    instance_type: str = "m6i.large"
    """EC2 instance type (``family.size``). Default: m6i.large (2 vCPU, 8 GiB, x86_64)."""
    ami_id: str | None = None
    """Explicit AMI id (``ami-...``). Default: None, the AMI is read from ``ami_ssm_parameter``."""
    ami_ssm_parameter: str = AL2023_AMI_PARAMETER
    """SSM parameter holding the AMI id. Default: AWS's public parameter for the latest Amazon Linux 2023
    (x86_64)."""
    follow_latest_ami: bool = False
    """Default: the AMI read from SSM at first launch is kept (``ignore_changes = [ami]``), so a new Amazon
    Linux release never replaces every instance in one apply. True: each apply follows the parameter and
    replaces the instances when it moves."""
    root_volume_size_gb: int = 30
    """Size of the encrypted gp3 root volume in GiB (at least 8). Default: 30."""
    data_volume_gb: int | None = None
    """Local data storage (multi-dc-local): an encrypted gp3 volume of this size at /dev/sdf per instance,
    holding the shared paths. Default: None, no data volume."""
    efs: EfsMount | None = None
    """Shared file system: mount it and bind the shared paths onto it. Default: None, no shared file
    system."""
    detailed_monitoring: bool = True
    """EC2 detailed (1-minute) monitoring: instance metrics every minute instead of every five, so an alarm on
    a sick instance fires sooner. Default: on."""
    auto_scaling: bool | None = None
    """Run the instances in an EC2 Auto Scaling group (one per datacenter, over every DMZ subnet) that replaces
    an instance the load balancer finds unhealthy or that stops running, and rolls every change of AMI,
    instance type or user data through an instance refresh. Default: None, meaning on, except with
    ``data_volume_gb`` (local storage): a replacement starts with an empty data volume and the files uploaded
    to the old one are gone, so fixed instances are the default there, and True accepts that cost."""
    max_instance_count: int | None = None
    """Upper bound of the group (Auto Scaling only). Default: None, meaning ``instance_count``: the group keeps
    exactly that many; raise it to let an operator or a scaling policy add instances."""
    health_check_grace_seconds: int = DEFAULT_HEALTH_CHECK_GRACE_SECONDS
    """(Auto Scaling only) Seconds after an instance launches before the group acts on a failed load-balancer
    health check, so that a booting instance (packages, the install hook) is not replaced. Default: 300, AWS's
    own default."""
    min_healthy_percentage: int = 50
    """(Auto Scaling only) Share of ``instance_count`` an instance refresh keeps in service while it replaces
    instances (AWS rounds it up to whole instances). Default: 50: with 2 instances it replaces one at a time,
    so an update never takes the datacenter down."""
    install_script: str | None = None
    """Shell text run once as root after host preparation (output in /var/log/portal-install.log). It travels
    base64-encoded; when it holds cdktf tokens, Terraform encodes it, so a literal dollar-brace must be
    written with a doubled dollar. Default: None, no install script."""
    installer_s3_uri: str | None = None
    """``s3://bucket/key`` of an installer downloaded with ``aws s3 cp`` and run once as root; the role gets
    s3:GetObject on that object only. Default: None, nothing is downloaded."""
    api_manager: ApiManagerProps | None = None
    """The API Manager the portal connects to: the instances may open its port to its ``cidrs`` only. Default:
    None, no egress to an API Manager (the portal cannot reach one until this is set)."""
    name: str | None = None
    """Base of the fleet's resource names (role, instance profile, security group, instances). Default: None,
    meaning ``{datacenter.resource_name}-portal``."""

    def __post_init__(self) -> None:
        problems = Problems()
        count_ok = self._check_count(problems)
        self._check_image(problems)
        self._check_volumes(problems)
        self._check_install_hook(problems)
        if self.name is not None:
            check_name(self.name, "fleet.name", MAX_IAM_ROLE_NAME, problems)
        self._check_auto_scaling(problems, count_ok)
        if not problems.items:
            self._check_user_data_size(problems)
        problems.raise_if_any()

    def _check_count(self, problems: Problems) -> bool:
        """2 to MAX_INSTANCES instances (1 with allow_single_instance); whether the count is an integer."""
        count_ok = isinstance(self.instance_count, int) and not isinstance(self.instance_count, bool)
        if not count_ok:
            problems.add(Problem("fleet.instance_count", self.instance_count, "is not an integer: use 2 or more"))
        elif self.instance_count < 1:
            problems.add(Problem("fleet.instance_count", self.instance_count, "is below 1: use 2 or more"))
        elif self.instance_count < MIN_INSTANCES and not self.allow_single_instance:
            problems.add(Problem(
                "fleet.instance_count", self.instance_count,
                f"is below the HA minimum of {MIN_INSTANCES}: use {MIN_INSTANCES} or more, or set {{0}} for a lab",
                refs=(Ref("fleet.allow_single_instance", True),),
            ))
        elif self.instance_count > MAX_INSTANCES:
            problems.add(Problem(
                "fleet.instance_count", self.instance_count,
                f"is above {MAX_INSTANCES}: a datacenter's portal fleet is meant to be small; use at most "
                f"{MAX_INSTANCES}",
            ))
        return count_ok

    def _check_image(self, problems: Problems) -> None:
        """The instance type, and the AMI (an id, or an SSM parameter of the type's architecture)."""
        type_ok = problems.check(
            isinstance(self.instance_type, str) and bool(INSTANCE_TYPE_PATTERN.match(self.instance_type)),
            Problem("fleet.instance_type", self.instance_type,
                    "is not an EC2 instance type: use family.size, such as m6i.large"),
        )
        if self.ami_id is not None and known(self.ami_id):
            problems.check(
                isinstance(self.ami_id, str) and bool(AMI_PATTERN.match(self.ami_id)),
                Problem("fleet.ami_id", self.ami_id, "is not an AMI id: use ami- followed by 8 to 17 hex digits, "
                        "or leave it unset to use ami_ssm_parameter"),
            )
        if self.ami_id is None:
            param_ok = problems.check(
                isinstance(self.ami_ssm_parameter, str)
                and bool(SSM_PARAMETER_PATTERN.match(self.ami_ssm_parameter)),
                Problem("fleet.ami_ssm_parameter", self.ami_ssm_parameter,
                        f"is not an SSM parameter name: use a path such as {AL2023_AMI_PARAMETER}"),
            )
            if type_ok and param_ok and self.ami_ssm_parameter.endswith("x86_64"):
                problems.check(
                    not ARM64_FAMILY_PATTERN.match(self.instance_type),
                    Problem("fleet.instance_type", self.instance_type,
                            f"is an arm64 (Graviton) type but {{0}} {self.ami_ssm_parameter} names an x86_64 "
                            "image: use an x86_64 type such as m6i.large, or the parameter ending in arm64",
                            refs=(Ref("fleet.ami_ssm_parameter"),), literal=False),
                )

    def _check_volumes(self, problems: Problems) -> None:
        """The root and data volume sizes; a data volume and a shared file system exclude each other."""
        problems.check(
            is_int(self.root_volume_size_gb) and MIN_ROOT_GB <= self.root_volume_size_gb <= MAX_VOLUME_GB,
            Problem("fleet.root_volume_size_gb", self.root_volume_size_gb,
                    f"is out of range: use {MIN_ROOT_GB} to {MAX_VOLUME_GB} GiB"),
        )
        if self.data_volume_gb is not None:
            problems.check(
                is_int(self.data_volume_gb) and 1 <= self.data_volume_gb <= MAX_VOLUME_GB,
                Problem("fleet.data_volume_gb", self.data_volume_gb,
                        f"is out of range: use 1 to {MAX_VOLUME_GB} GiB, or None for no data volume"),
            )
        if self.efs is not None and self.data_volume_gb is not None:
            problems.add(Problem(
                "fleet.efs", fix="and {0} are both set: the shared paths live either on the shared file system "
                "(efs) or on a local data volume (data_volume_gb); set only one", refs=(Ref("fleet.data_volume_gb"),)
            ))

    def _check_install_hook(self, problems: Problems) -> None:
        """The install hook: a script or an S3 object, not both."""
        if self.install_script is not None and self.installer_s3_uri is not None:
            problems.add(Problem(
                "fleet.install_script", fix="and {0} are both set: the install hook is one or the other; set only "
                "one", refs=(Ref("fleet.installer_s3_uri"),)
            ))
        if self.install_script is not None and known(self.install_script):
            problems.check(
                isinstance(self.install_script, str) and self.install_script.strip() != "",
                Problem("fleet.install_script", fix="is empty: give the shell text to run, or leave it None"),
            )
        if self.installer_s3_uri is not None and known(self.installer_s3_uri):
            problems.check(
                isinstance(self.installer_s3_uri, str) and bool(S3_URI_PATTERN.match(self.installer_s3_uri)),
                Problem("fleet.installer_s3_uri", self.installer_s3_uri,
                        "is not an S3 object URI: use s3://bucket/key, such as s3://my-artifacts/apiportal/install.sh"),
            )

    def _check_user_data_size(self, problems: Problems) -> None:
        """The rendered user data fits EC2's limit (checked once everything else is valid)."""
        if self.install_script is None or known(self.install_script):
            size = len(render_user_data(
                efs=self.efs, data_volume=self.data_volume_gb is not None,
                install_script=self.install_script, installer_s3_uri=self.installer_s3_uri,
            ).encode())
            problems.check(
                size <= MAX_USER_DATA_BYTES,
                Problem("fleet.install_script", fix=f"makes the user data {size} bytes, above the EC2 limit of "
                        f"{MAX_USER_DATA_BYTES}: upload the installer to S3 and set installer_s3_uri instead"),
            )

    @property
    def uses_auto_scaling(self) -> bool:
        """Whether the instances run in an Auto Scaling group (``auto_scaling``, or its default)."""
        return self.data_volume_gb is None if self.auto_scaling is None else self.auto_scaling is True

    @property
    def max_size(self) -> int:
        """The group's upper bound: ``max_instance_count``, or ``instance_count``."""
        return self.instance_count if self.max_instance_count is None else self.max_instance_count

    def _check_auto_scaling(self, problems: Problems, count_ok: bool) -> None:
        if self.auto_scaling is not None and not isinstance(self.auto_scaling, bool):
            problems.add(Problem("fleet.auto_scaling", self.auto_scaling, "is not a boolean: use True, False or None"))
            return
        if not self.uses_auto_scaling:
            problems.check(
                self.max_instance_count is None,
                Problem("fleet.max_instance_count", self.max_instance_count,
                        "is set but the instances are fixed (no Auto Scaling group): set {0}, or leave "
                        "max_instance_count unset", refs=(Ref("fleet.auto_scaling", True),)),
            )
            return
        if self.max_instance_count is not None:
            low = self.instance_count if count_ok else 1
            problems.check(
                is_int(self.max_instance_count) and low <= self.max_instance_count <= MAX_INSTANCES,
                Problem("fleet.max_instance_count", self.max_instance_count,
                        f"is out of range: use instance_count ({low}) to {MAX_INSTANCES}"),
            )
        problems.check(
            is_int(self.health_check_grace_seconds)
            and 0 <= self.health_check_grace_seconds <= MAX_HEALTH_CHECK_GRACE_SECONDS,
            Problem("fleet.health_check_grace_seconds", self.health_check_grace_seconds,
                    f"is out of range: use 0 to {MAX_HEALTH_CHECK_GRACE_SECONDS} seconds (the time an instance "
                    "needs to boot and install)"),
        )
        problems.check(
            is_int(self.min_healthy_percentage) and 1 <= self.min_healthy_percentage <= 100,
            Problem("fleet.min_healthy_percentage", self.min_healthy_percentage,
                    "is out of range: use 1 to 100 (0 would let an instance refresh replace every instance at "
                    "once, taking the datacenter down)"),
        )
