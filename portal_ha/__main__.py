"""``python -m portal_ha``: the ``portal-ha`` command."""

from .cli import entry

entry()
