"""``IDatacenter``: what every construct built on a datacenter reads from it, whether the network was built
here (``Datacenter``) or adopted (``ImportedDatacenter``), in the manner of aws-cdk's ``IVpc``."""

from __future__ import annotations

from typing import Protocol

from cdktf_cdktf_provider_aws.provider import AwsProvider


class IDatacenter(Protocol):
    """One datacenter's network: per tier, lists in AZ order. AZ names and ids may be cdktf tokens."""

    @property
    def provider(self) -> AwsProvider:
        """The ``AwsProvider`` of this datacenter's region: every construct built on it passes it on."""
        ...

    @property
    def name(self) -> str: ...

    @property
    def region(self) -> str: ...

    @property
    def name_prefix(self) -> str: ...

    @property
    def resource_name(self) -> str:
        """``{name_prefix}-{name}``: the base of resource names made in this datacenter."""
        ...

    @property
    def adopted(self) -> bool:
        """True for an existing network (nothing of the network was created)."""
        ...

    @property
    def az_count(self) -> int: ...

    @property
    def vpc_id(self) -> str: ...

    @property
    def vpc_cidr(self) -> str: ...

    @property
    def azs(self) -> list[str]: ...

    @property
    def public_subnet_ids(self) -> list[str]: ...

    @property
    def dmz_subnet_ids(self) -> list[str]: ...

    @property
    def internal_subnet_ids(self) -> list[str]: ...

    @property
    def public_cidrs(self) -> list[str]: ...

    @property
    def dmz_cidrs(self) -> list[str]: ...

    @property
    def internal_cidrs(self) -> list[str]: ...

    @property
    def dmz_route_table_ids(self) -> list[str]: ...

    @property
    def internal_route_table_ids(self) -> list[str]: ...

    @property
    def internal_nacl_id(self) -> str | None:
        """The internal tier's network ACL that rules are added to; None when there is none to add to."""
        ...

    def allow_into_internal_tier(self, cidr: str) -> None:
        """Admit ``cidr`` into the internal subnets on NFS and MySQL, and let the replies back out."""
        ...
