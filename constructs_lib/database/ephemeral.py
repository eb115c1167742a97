"""Terraform ``ephemeral`` blocks, which cdktf 0.21 cannot write: a value that exists during one plan or
apply and is never stored (used for the global database's master password).

cdktf 0.21 has no ephemeral construct and the provider bindings (hashicorp/aws 5.100.0) have no classes for
the provider's ephemeral resources, so ``EphemeralResource`` writes the block into the stack's JSON itself
(Terraform >= 1.10 and hashicorp/aws >= 5.83 understand it).
"""

from __future__ import annotations

from typing import Any

from cdktf import TerraformElement, TerraformProvider
from constructs import Construct


class EphemeralResource(TerraformElement):
    """A Terraform ``ephemeral`` block: a value that exists during one plan or apply and is never stored.

    cdktf 0.21 has no ephemeral construct and the provider bindings (hashicorp/aws 5.100.0) have no classes for
    the provider's ephemeral resources, so this element writes the block into the stack's JSON itself.
    Reference its attributes with ``interpolation(attr)``; only write-only arguments (``*_wo``) and other
    ephemeral blocks may use them (Terraform enforces it).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        resource_type: str,
        provider: TerraformProvider,
        config: dict[str, Any],
    ) -> None:
        super().__init__(scope, id, "ephemeral")
        self._resource_type = resource_type
        alias = provider.alias
        self._provider_ref = (
            f"{provider.terraform_resource_type}.{alias}" if alias else provider.terraform_resource_type
        )
        self._config = config

    def to_terraform(self) -> Any:
        config = {**self._config, "provider": self._provider_ref}
        return {"ephemeral": {self._resource_type: {self.friendly_unique_id: config}}}

    def to_hcl_terraform(self) -> Any:
        raise NotImplementedError(
            "ephemeral blocks are emitted for JSON synthesis only: do not enable HCL output (hclOutput)"
        )

    def reference(self, attribute: str) -> str:
        """The bare expression, for use inside a larger ``${...}`` expression."""
        return f"ephemeral.{self._resource_type}.{self.friendly_unique_id}.{attribute}"

    def interpolation(self, attribute: str) -> str:
        return "${" + self.reference(attribute) + "}"
