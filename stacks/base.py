"""What every architecture's stack shares: one aliased AWS provider per datacenter, with default tags."""

from __future__ import annotations

from cdktf import TerraformOutput, TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderDefaultTags
from constructs import Construct

from .settings import ArchitectureSettings, DatacenterSettings, Settings


class PortalStack(TerraformStack):
    """A cdktf stack for one architecture. Subclasses add the datacenters and what joins them."""

    def __init__(self, scope: Construct, settings: Settings, arch: ArchitectureSettings) -> None:
        super().__init__(scope, arch.name)
        self.settings = settings
        self.arch = arch
        self.providers: dict[str, AwsProvider] = {dc.name: self._provider(dc) for dc in arch.datacenters}

    def _provider(self, dc: DatacenterSettings) -> AwsProvider:
        return AwsProvider(
            self, f"aws-{dc.name}", region=dc.region, alias=dc.name,
            default_tags=[AwsProviderDefaultTags(tags={
                "Project": self.settings.name_prefix,
                "Architecture": self.arch.name,
                "Datacenter": dc.name,
                "ManagedBy": "portal-ha/cdktf",
            })],
        )

    def output(self, name: str, value: object, description: str, *, sensitive: bool = False) -> None:
        """A stack output named ``<thing>_<attr>``, always with a description."""
        TerraformOutput(self, name, value=value, description=description, sensitive=sensitive)
