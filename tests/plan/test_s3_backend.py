"""The s3 state backend, exercised against moto: init, a targeted apply writes state to the bucket."""

from __future__ import annotations

import json
from dataclasses import replace

import boto3
import pytest

from portal_ha import terraform
from stacks.settings import BackendSettings

pytestmark = pytest.mark.terraform


def test_s3_backend_keeps_state_in_the_bucket(repo_settings, tf_env, moto_endpoint, tmp_path):
    from stacks.app import synth_app

    s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=moto_endpoint,
                      aws_access_key_id="test", aws_secret_access_key="test")
    s3.create_bucket(Bucket="portal-ha-state")
    settings = replace(repo_settings, backend=BackendSettings(type="s3", bucket="portal-ha-state",
                                                              region="us-east-1", key_prefix="team-a"))
    synth_app(settings, outdir=str(tmp_path), only=("single-dc",))
    directory = terraform.stack_dir(tmp_path, "single-dc")
    backend = json.loads((directory / "cdk.tf.json").read_text())["terraform"]["backend"]["s3"]
    assert backend == {"bucket": "portal-ha-state", "key": "team-a/single-dc.tfstate", "region": "us-east-1",
                       "encrypt": True, "use_lockfile": True}

    # moto serves buckets by path, not by host name: the CLI passes the same option with --local.
    terraform.run(["init", "-input=false", "-no-color", "-backend-config=use_path_style=true"], directory, tf_env)
    vpc = next(a for a in json.loads((directory / "cdk.tf.json").read_text())["resource"]["aws_vpc"])
    terraform.run(["apply", "-auto-approve", "-input=false", "-no-color", f"-target=aws_vpc.{vpc}"],
                  directory, tf_env)
    state = json.loads(s3.get_object(Bucket="portal-ha-state", Key="team-a/single-dc.tfstate")["Body"].read())
    assert [r["type"] for r in state["resources"]] == ["aws_vpc"]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="portal-ha-state").get("Contents", [])]
    assert "team-a/single-dc.tfstate.tflock" not in keys, "the S3 lock file must be released after apply"
