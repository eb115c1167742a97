"""The running emulator for the extension tests: one server process for the session (started as ``portal-ha``
starts it: ``python -m portal_ha.emulator.server``, with every extension), its AWS reset before each test.

Each test talks to it with boto3, as the AWS provider would: request, documented answer, documented errors.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto import mock_aws

from portal_ha import emulator


@pytest.fixture(scope="session")
def emulator_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[emulator.Emulator]:
    state_dir = tmp_path_factory.mktemp("emulator")
    server = emulator.start(state_dir)
    try:
        yield server
    finally:
        emulator.stop(state_dir)


@pytest.fixture
def aws_client(emulator_server: emulator.Emulator) -> Callable[..., Any]:
    """``aws_client(service, region)``: a boto3 client of the running emulator (no retries: an error is seen
    as the emulator answered it), on an AWS reset to empty."""
    request = urllib.request.Request(f"{emulator_server.endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10):
        pass

    def client(service: str, region: str = "us-east-1") -> Any:
        return boto3.client(service, region_name=region, endpoint_url=emulator_server.endpoint,
                            aws_access_key_id="test", aws_secret_access_key="test",
                            config=Config(retries={"max_attempts": 1, "mode": "standard"}))

    return client


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto in this process (no server, no extensions unless a test applies them), on test credentials."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield


def error_of(raised: pytest.ExceptionInfo[Any]) -> tuple[str, int, str]:
    """(code, HTTP status, message) of a botocore ClientError."""
    response = raised.value.response
    return (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"],
            response["Error"].get("Message", ""))
