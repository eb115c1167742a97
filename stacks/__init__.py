"""The deployable API Portal HA architectures (``single-dc``, ``multi-dc``, ``multi-dc-local``) and tooling."""
