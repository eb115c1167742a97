"""Day-2 operations on a deployed architecture: ``failover`` (move the writer and the writable file system to
another datacenter), ``evacuate`` / ``restore`` (take a datacenter out of the global load balancer and put it
back) and ``drill`` (the disaster-recovery rehearsal). Each runs as a timeline of steps that check AWS before
acting, so running an interrupted operation again resumes it instead of repeating what is done."""
