"""Reviewer channels beyond the console: Slack, Microsoft Teams, signed webhooks.

`phigate.doors.channels.install.install_channels(app, gateway)` wires them. This
package's __init__ stays import-free because config.py imports `.settings`.
"""
