"""Upstream executors. Each is one small `Connector` (`base`): run an action, mask as
it streams. This package's __init__ stays import-free because `phigate.config`
imports `.rule_settings`, and must not load the connectors (or masking) with it.
"""
