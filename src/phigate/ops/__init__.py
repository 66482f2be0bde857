"""Assembling and running phigate: the gateway built from settings (`bootstrap`),
serving it (`server`, `workers`, `instance`), replicas and the files they share
(`replicas`, `port_claims`, `state_lock`), the embedded PostgreSQL (`pgserver`)
and `phigate demo` (`demo`). Import-free: import from the module that owns a name."""
