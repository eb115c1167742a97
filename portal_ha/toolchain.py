"""Offline-capable Terraform toolchain: find the aws provider mirror and write a Terraform CLI config for it.

Terraform comes from PATH. The hashicorp/aws provider comes from a local filesystem mirror when one exists
(found automatically, or named by ``PORTAL_HA_PROVIDER_MIRROR``), and from the public registry otherwise.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from stacks.entry import quiet_jsii

from .files import write_atomic

AWS_PROVIDER_VERSION = "5.100.0"  # the version cdktf-cdktf-provider-aws 20.1.0 binds
PROVIDER_PATH = Path("registry.terraform.io/hashicorp/aws") / AWS_PROVIDER_VERSION
MIRROR_ENV = "PORTAL_HA_PROVIDER_MIRROR"
# Where machine images and Terraform's own implied mirrors usually keep providers.
MIRROR_CANDIDATES = (
    "/opt/tf-plugins",
    "~/.terraform.d/plugins",
    "~/.local/share/terraform/plugins",
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
)
STATE_DIR = Path(".portal-ha")


def _has_provider(directory: Path) -> bool:
    return any((directory / PROVIDER_PATH).glob("*/terraform-provider-aws_*"))


def find_provider_mirror() -> Path | None:
    """The filesystem mirror holding hashicorp/aws, or None to use the registry.

    ``$PORTAL_HA_PROVIDER_MIRROR`` wins when set; it must then hold the provider (an empty value disables
    the mirror).
    """
    override = os.environ.get(MIRROR_ENV)
    if override is not None:
        if override == "":
            return None
        path = Path(override).expanduser()
        if not _has_provider(path):
            raise FileNotFoundError(
                f"{MIRROR_ENV}={override} holds no {PROVIDER_PATH}/<os_arch>/terraform-provider-aws_*: "
                "point it at a filesystem mirror (terraform providers mirror DIR), or unset it"
            )
        return path
    for candidate in MIRROR_CANDIDATES:
        path = Path(candidate).expanduser()
        if _has_provider(path):
            return path
    return None


def terraform_cli_config(mirror: Path | None) -> str:
    """A Terraform CLI config: hashicorp/aws from the mirror when there is one, the rest from the registry."""
    if mirror is None:
        return "# no local provider mirror found: providers come from the public registry\n"
    return (
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f'    path    = "{mirror}"\n'
        '    include = ["registry.terraform.io/hashicorp/aws"]\n'
        "  }\n"
        "  direct {\n"
        '    exclude = ["registry.terraform.io/hashicorp/aws"]\n'
        "  }\n"
        "}\n"
    )


def write_cli_config(state_dir: Path = STATE_DIR) -> Path:
    """Write ``.portal-ha/terraform.rc`` for the mirror found now, and return its absolute path."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = (state_dir / "terraform.rc").resolve()
    write_atomic(path, terraform_cli_config(find_provider_mirror()))
    return path


def terraform_env(state_dir: Path = STATE_DIR) -> dict[str, str]:
    """Environment for terraform and cdktf: the CLI config, and the jsii banner silenced."""
    quiet_jsii()
    env = {"TF_CLI_CONFIG_FILE": str(write_cli_config(state_dir)), "CHECKPOINT_DISABLE": "1"}
    if "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION" in os.environ:
        key = "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"
        env[key] = os.environ[key]
    return env


def terraform_binary() -> str:
    path = shutil.which("terraform")
    if path is None:
        raise FileNotFoundError("terraform is not on PATH: install Terraform >= 1.10 (README, Set-up)")
    return path
