"""The ports the internal tier serves to the portal instances. Loads no provider binding."""

from __future__ import annotations

NFS_PORT = 2049
"""NFS: EFS mount targets."""
MYSQL_PORT = 3306
"""MySQL: Aurora MySQL clusters, unless a cluster says otherwise."""
