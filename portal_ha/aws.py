"""boto3 clients for the checks of a live deployment (``verify``, ``teardown``). The endpoint comes from the
environment: ``AWS_ENDPOINT_URL`` sends every client to the local emulator."""

from __future__ import annotations

from typing import Any


class Clients:
    """boto3 clients per (service, region), made once."""

    def __init__(self, session: Any = None) -> None:
        import boto3

        self._session = session or boto3.session.Session()
        self._clients: dict[tuple[str, str], Any] = {}

    def __call__(self, service: str, region: str) -> Any:
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = self._session.client(service, region_name=region)
        return self._clients[key]
