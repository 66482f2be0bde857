"""The `phigate` command: a thin layer over the library. User errors exit with code 2.

One module per command group, each added here by name: what `phigate --help` lists
is what this file says. Commands import what they run inside their functions, so
`phigate --help` loads neither the gateway nor the store.
"""

from __future__ import annotations

import click

from phigate.cli import (
    approvals,
    audit,
    config,
    demo,
    exec,
    masking,
    mcp,
    policy,
    reports,
    serve,
    sql,
    token,
)
from phigate.cli._common import PhigateGroup


@click.group(cls=PhigateGroup)
@click.version_option(package_name="phigate")
def main() -> None:
    """phigate: identity-aware gateway between AI agents and systems holding PHI."""


main.add_command(config.config)
main.add_command(serve.serve)
main.add_command(serve.migrate)
main.add_command(token.token)
main.add_command(policy.policy)
main.add_command(audit.audit)
main.add_command(mcp.mcp_command)
main.add_command(mcp.mcp_tools)
main.add_command(demo.demo)
main.add_command(sql.sql_group)
main.add_command(reports.report_command, "report")
main.add_command(exec.exec_command)
main.add_command(exec.http_command)
main.add_command(approvals.approvals)
main.add_command(masking.mask_command, "mask")
