"""boto3 clients for the checks of a live deployment (``verify``, ``teardown``, the operations). The commands
pass the environment they give Terraform (``cli.common.environment``): its ``AWS_ENDPOINT_URL`` and credentials
send every client to the local emulator. Without them, boto3 finds the endpoint and credentials as it always does
(the process environment, the shared config files, the instance role)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ENDPOINT = "AWS_ENDPOINT_URL"
CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


class Clients:
    """boto3 clients per (service, region), made once, for the endpoint and credentials ``env`` names."""

    def __init__(self, env: Mapping[str, str] | None = None, *, session: Any = None) -> None:
        import boto3

        given = env or {}
        self._endpoint = given.get(ENDPOINT)
        keys = dict(zip(("aws_access_key_id", "aws_secret_access_key", "aws_session_token"),
                        (given.get(name) for name in CREDENTIALS), strict=True))
        self._session = session or boto3.session.Session(**keys)
        self._clients: dict[tuple[str, str], Any] = {}

    def __call__(self, service: str, region: str) -> Any:
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = self._session.client(service, region_name=region, endpoint_url=self._endpoint)
        return self._clients[key]
