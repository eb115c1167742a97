"""boto3 clients for the checks of a live deployment (``verify``, ``teardown``, the operations). The commands
pass the environment they give Terraform (``cli.common.environment``): its ``AWS_ENDPOINT_URL`` and credentials
send every client to the local emulator. Without them, boto3 finds the endpoint and credentials as it always does
(the process environment, the shared config files, the instance role)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal, TypeAlias, overload

if TYPE_CHECKING:  # the stubs (types-boto3, a dev dependency) type every client; nothing is imported at run time
    from boto3.session import Session
    from types_boto3_autoscaling import AutoScalingClient
    from types_boto3_ec2 import EC2Client
    from types_boto3_efs import EFSClient
    from types_boto3_elbv2 import ElasticLoadBalancingv2Client
    from types_boto3_rds import RDSClient
    from types_boto3_resourcegroupstaggingapi import ResourceGroupsTaggingAPIClient
    from types_boto3_route53 import Route53Client

    Client: TypeAlias = (AutoScalingClient | EC2Client | EFSClient | ElasticLoadBalancingv2Client | RDSClient
                         | ResourceGroupsTaggingAPIClient | Route53Client)

ENDPOINT = "AWS_ENDPOINT_URL"
Service = Literal["autoscaling", "ec2", "efs", "elbv2", "rds", "resourcegroupstaggingapi", "route53"]
"""The AWS services the tooling asks (verify, teardown, the operations)."""


class Clients:
    """boto3 clients per (service, region), made once, for the endpoint and credentials ``env`` names."""

    def __init__(self, env: Mapping[str, str] | None = None, *, session: Session | None = None) -> None:
        import boto3

        given = env or {}
        self._endpoint = given.get(ENDPOINT)
        self._session = session or boto3.session.Session(
            aws_access_key_id=given.get("AWS_ACCESS_KEY_ID"), aws_secret_access_key=given.get("AWS_SECRET_ACCESS_KEY"),
            aws_session_token=given.get("AWS_SESSION_TOKEN"))
        self._clients: dict[tuple[str, str], Client] = {}

    @overload
    def __call__(self, service: Literal["autoscaling"], region: str) -> AutoScalingClient: ...
    @overload
    def __call__(self, service: Literal["ec2"], region: str) -> EC2Client: ...
    @overload
    def __call__(self, service: Literal["efs"], region: str) -> EFSClient: ...
    @overload
    def __call__(self, service: Literal["elbv2"], region: str) -> ElasticLoadBalancingv2Client: ...
    @overload
    def __call__(self, service: Literal["rds"], region: str) -> RDSClient: ...
    @overload
    def __call__(self, service: Literal["resourcegroupstaggingapi"], region: str) -> ResourceGroupsTaggingAPIClient: ...
    @overload
    def __call__(self, service: Literal["route53"], region: str) -> Route53Client: ...

    def __call__(self, service: Service, region: str) -> Client:
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = self._session.client(service, region_name=region, endpoint_url=self._endpoint)
        return self._clients[key]
