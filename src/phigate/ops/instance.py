"""This process's identity among the replicas that share one state store.

Records a replica writes carry `"replica": REPLICA_ID`, so a replica reading the
shared audit log can tell its own records (already announced in-process) from
another replica's (to be relayed to the chat messages it posted itself).
"""

from __future__ import annotations

import secrets

REPLICA_ID = secrets.token_hex(8)
