"""Offline toolchain: the provider mirror is found, overridable, and turned into a Terraform CLI config."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal_ha import toolchain
from tests.conftest import REPO


def _fake_mirror(root: Path) -> Path:
    target = root / toolchain.PROVIDER_PATH / "linux_amd64"
    target.mkdir(parents=True)
    (target / f"terraform-provider-aws_v{toolchain.AWS_PROVIDER_VERSION}_x5").write_text("")
    return root


def test_env_override_wins(tmp_path, monkeypatch):
    mirror = _fake_mirror(tmp_path / "mirror")
    monkeypatch.setenv(toolchain.MIRROR_ENV, str(mirror))
    assert toolchain.find_provider_mirror() == mirror


def test_empty_override_means_registry(monkeypatch):
    monkeypatch.setenv(toolchain.MIRROR_ENV, "")
    assert toolchain.find_provider_mirror() is None
    assert "provider_installation" not in toolchain.terraform_cli_config(None)


def test_override_without_provider_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv(toolchain.MIRROR_ENV, str(tmp_path))
    with pytest.raises(FileNotFoundError, match="holds no registry.terraform.io/hashicorp/aws/5.100.0"):
        toolchain.find_provider_mirror()


def test_cli_config_takes_aws_from_mirror_and_the_rest_from_registry(tmp_path):
    text = toolchain.terraform_cli_config(tmp_path)
    assert f'path    = "{tmp_path}"' in text
    assert 'include = ["registry.terraform.io/hashicorp/aws"]' in text
    assert 'exclude = ["registry.terraform.io/hashicorp/aws"]' in text


def test_readme_commands_are_what_ci_runs():
    """.ci/run must run exactly the README's two commands."""
    readme = (REPO / "README.md").read_text()
    block = readme.split("## The two commands", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    readme_commands = [line.strip() for line in block.splitlines() if line.strip() and not line.startswith("#")]
    ci = (REPO / ".ci" / "run").read_text().splitlines()
    ci_commands = [ci[i + 1].strip() for i, line in enumerate(ci) if re.match(r"# readme:command-\d", line.strip())]
    assert readme_commands == ci_commands
