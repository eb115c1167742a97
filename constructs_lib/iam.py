"""IAM policy documents, written once: a trust policy for an AWS service, and a policy of statements.

Both render through ``Fn.jsonencode``, so values may be cdktf tokens (ARNs of resources made in the same stack).
"""

from __future__ import annotations

from typing import Any

from cdktf import Fn

POLICY_VERSION = "2012-10-17"


def policy_document(*statements: dict[str, Any]) -> str:
    """``{"Version": "2012-10-17", "Statement": [...]}`` as a Terraform ``jsonencode`` expression."""
    return str(Fn.jsonencode({"Version": POLICY_VERSION, "Statement": list(statements)}))


def assume_role_policy(service: str) -> str:
    """The trust policy that lets ``service`` (``ec2.amazonaws.com``, ...) assume a role."""
    return policy_document({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": service}})
