"""The user data of a portal instance (cloud-init shell), rendered from ``templates/user_data.sh.tpl``: Apache
with TLS on 443 and a ``/healthz`` page, the portal's data directories, the shared paths (``SHARED_PATHS``, the
seed's "Data storage for HA") on the shared file system (EFS, bind-mounted) or on a local encrypted data
volume, then an optional install hook. Pure: no resources, no synth."""

from __future__ import annotations

import base64
import importlib.resources
import re
from dataclasses import dataclass
from string import Template

from .errors import Problem, Problems
from .validation import check_region, known

PORTAL_HTDOC = "/opt/axway/apiportal/htdoc"
# The paths under PORTAL_HTDOC that every portal instance must see alike (the seed's "Data storage for HA").
SHARED_PATHS: tuple[str, ...] = (
    "images",
    "media/com_easydiscuss",
    "language",
    "administrator/language",
    "administrator/manifests/packages",
    "templates/purity_iii",
    "administrator/components/com_apiportal/assets/cert",
    "components/com_apiportal/assets/img/menu",
    "components/com_apiportal/views",
)
SHARED_MOUNT = "/mnt/portal-shared"
DATA_MOUNT = "/mnt/portal-data"
DATA_DEVICE = "/dev/sdf"
EFS_ID_PATTERN = re.compile(r"^fs-[0-9a-f]{8,17}$")
EFS_AP_PATTERN = re.compile(r"^fsap-[0-9a-f]{8,17}$")


@dataclass(frozen=True, kw_only=True)
class EfsMount:
    """The shared file system the portal mounts: an EFS file system and its access point (may be tokens)."""

    file_system_id: str
    """EFS file system id (``fs-...``). In remote datacenters it is the primary datacenter's file system."""
    access_point_id: str
    """EFS access point id (``fsap-...``); the mount goes through it, with TLS and IAM authorization."""
    region: str
    """Region of the file system: efs-utils resolves ``FS_ID.efs.REGION.amazonaws.com``."""

    def __post_init__(self) -> None:
        problems = Problems()
        if known(self.file_system_id):
            problems.check(
                isinstance(self.file_system_id, str) and bool(EFS_ID_PATTERN.match(self.file_system_id)),
                Problem("fleet.efs.file_system_id", self.file_system_id, "is not an EFS file system id: use the "
                        "id of an aws_efs_file_system, such as fs-0123456789abcdef0"),
            )
        if known(self.access_point_id):
            problems.check(
                isinstance(self.access_point_id, str) and bool(EFS_AP_PATTERN.match(self.access_point_id)),
                Problem("fleet.efs.access_point_id", self.access_point_id, "is not an EFS access point id: use "
                        "the id of an aws_efs_access_point, such as fsap-0123456789abcdef0"),
            )
        if known(self.region):
            check_region(self.region, "fleet.efs.region", problems)
        problems.raise_if_any()


def _shell_quote(value: str) -> str:
    """Single-quote a plain value for the shell (tokens resolve to ids and URIs without quotes)."""
    return value.replace("'", "'\\''")


def _load_template() -> Template:
    text = (importlib.resources.files("constructs_lib") / "templates" / "user_data.sh.tpl").read_text()
    return Template(text)


def render_user_data(
    *,
    efs: EfsMount | None = None,
    data_volume: bool = False,
    install_script: str | None = None,
    installer_s3_uri: str | None = None,
) -> str:
    """The cloud-init shell script of a portal instance, as text. Pure: no resources, no synth.

    ``efs`` mounts the shared file system and binds ``SHARED_PATHS`` onto it; ``data_volume`` formats and
    mounts the /dev/sdf volume and binds them there; neither leaves them on the root volume.
    ``install_script`` or ``installer_s3_uri`` is the install hook. Values may be cdktf tokens: they appear in
    the text as tokens and cdktf turns them into Terraform references at synth.
    """
    problems = Problems()
    problems.check(efs is None or not data_volume,
                   Problem("render_user_data", sep=": ", fix="efs and data_volume are both set: choose one storage "
                           "for the shared paths"))
    problems.check(install_script is None or installer_s3_uri is None,
                   Problem("render_user_data", sep=": ", fix="install_script and installer_s3_uri are both set: "
                           "choose one install hook"))
    problems.raise_if_any()

    if efs is not None:
        storage_mode, root = "efs", "$SHARED_MOUNT"
        storage_lines = ["setup_efs"]
    elif data_volume:
        storage_mode, root = "data-volume", "$DATA_MOUNT"
        storage_lines = ["setup_data_volume"]
    else:
        storage_mode, root = "root-volume", None
        storage_lines = ["log 'no shared file system, no data volume: shared paths stay on the root volume'"]
    if root is not None:
        storage_lines += [f"bind_shared \"{root}\" '{path}'" for path in SHARED_PATHS]
        if data_volume:
            storage_lines.append(f"chown -R apache:apache \"{root}\"")

    if install_script is not None:
        install_mode = "script"
        if known(install_script):
            encoded = base64.b64encode(install_script.encode()).decode()
        else:  # a Terraform reference: encoded by Terraform (cdktf loads only here, validation never needs it)
            from cdktf import Fn

            encoded = Fn.base64encode(install_script)
        install_hook = f"  run_install_script '{encoded}'"
    elif installer_s3_uri is not None:
        install_mode = "s3-installer"
        install_hook = "  run_s3_installer"
    else:
        install_mode = "none"
        install_hook = "  log 'no install hook configured'"

    return _load_template().substitute(
        storage_mode=storage_mode,
        install_mode=install_mode,
        efs_file_system_id=_shell_quote(efs.file_system_id) if efs else "",
        efs_access_point_id=_shell_quote(efs.access_point_id) if efs else "",
        efs_region=_shell_quote(efs.region) if efs else "",
        data_device=DATA_DEVICE,
        installer_s3_uri=_shell_quote(installer_s3_uri) if installer_s3_uri else "",
        portal_dirs="\n".join(f"install -d \"$PORTAL_HTDOC/{path}\"" for path in SHARED_PATHS),
        storage_setup="\n".join(storage_lines),
        install_hook=install_hook,
    )
