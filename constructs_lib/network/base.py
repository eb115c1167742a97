"""What a built and an adopted datacenter both are: the identity every ``IDatacenter`` carries."""

from __future__ import annotations

from cdktf_cdktf_provider_aws.provider import AwsProvider
from constructs import Construct


class DatacenterBase(Construct):
    """The provider, name, region, name prefix, resource name and AZ count of a datacenter's network."""

    def __init__(self, scope: Construct, id: str, *, provider: AwsProvider, name: str, region: str,
                 name_prefix: str, az_count: int, adopted: bool) -> None:
        super().__init__(scope, id)
        self.provider = provider
        self.name: str = name
        self.region: str = region
        self.name_prefix: str = name_prefix
        self.resource_name: str = f"{name_prefix}-{name}"
        """``{name_prefix}-{name}``: the base of resource names made in this datacenter."""
        self.az_count: int = az_count
        self.adopted: bool = adopted
