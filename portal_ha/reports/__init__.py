"""Reports computed from the synthesized stack: the failover budget (``budget``) and the diagram (``diagram``)."""
