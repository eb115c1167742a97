"""IAM: AWS managed policies read once per process instead of once per IAM backend. What every API answers is
moto 5.2's own; only the cost of building a backend changes.

The stacks attach AWS managed policies (``arn:aws:iam::aws:policy/...``), so the emulator runs with
``MOTO_IAM_LOAD_MANAGED_POLICIES=true``. moto 5.2 then builds each IAM backend by parsing its 4.7 MB table of
the 1582 AWS managed policies and serialising every policy document again (0.11 s). It builds one backend per
partition (six) and account: at a reset (``BackendDict.reset`` re-creates every backend before dropping it),
and again on the first request after one, when ``get_account_id_from`` looks up the caller's access key in
every partition. Measured on the emulator's server: 1.3 s of each reset and about 1 s of the requests after it
(12 builds of 0.11 s, slower while other request threads run).

Here the table is parsed once, with each document serialised as moto serialises it, and each backend builds
its own ``AWSManagedPolicy`` objects from that (0.02 s): every backend still has fresh policies (their own
ids, attachment counts and versions), equal field for field to moto's.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime
from typing import Any

from .patch import Patch


@functools.cache
def _policy_fields() -> tuple[tuple[str, dict[str, Any]], ...]:
    """(name, keyword arguments of ``AWSManagedPolicy``) for every AWS managed policy in moto's table, as
    ``AWSManagedPolicy.from_data`` derives them. The values are immutable (strings, datetimes), so backends
    can share them."""
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    return tuple(
        (name, dict(default_version_id=data.get("DefaultVersionId"), path=data.get("Path"),
                    document=json.dumps(data.get("Document")),
                    create_date=datetime.fromisoformat(data["CreateDate"]),
                    update_date=datetime.fromisoformat(data["UpdateDate"])))
        for name, data in json.loads(aws_managed_policies_data).items()
    )


def patches() -> list[Patch]:
    from moto import settings
    from moto.iam import models

    policy: Any = models.AWSManagedPolicy  # moto's typing leaves its CloudFormation hooks abstract

    def _init_aws_policies(self: Any) -> list[Any]:
        if not settings.load_iam_aws_managed_policies():
            return []
        return [policy(name, account_id=self.account_id, region=self.region_name, **fields)
                for name, fields in _policy_fields()]

    return [Patch(models.IAMBackend, "_init_aws_policies", _init_aws_policies)]
