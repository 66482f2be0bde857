"""The ways in: thin adapters that turn their protocol's input into an Action for
the gateway's front (`phigate.pipeline.gateway`): REST (`api`), MCP (`mcp`), the
PostgreSQL wire (`pgwire`), the reviewer console (`console`), and the chat channels
reviewers vote through (`channels`). Import-free, like each door's package: config
loads their settings modules."""
