"""The reviewer web console at /ui (server-rendered Jinja2, one small script).

`phigate.doors.console.install.install_console(app, gateway)` mounts it. This
package's __init__ stays import-free because config.py imports `.settings`.
"""
