"""Round 12b: a promises-only attack on phigate after round 12's fixes.

Through the PostgreSQL wire door with psycopg (session state that changes what a
later statement means, every masking path), and the audit export. Open findings are
`xfail(strict=True)` (`finding`): the mark comes off when the finding is fixed.
Attacks that held stay as ordinary tests.
"""

from __future__ import annotations

from tests.adversarial.harness import Bench, finding, run_direct

# --------------------------------------------------------------------------- search_path


@finding(
    1,
    "set_config('search_path', …) with pg_catalog in upper case puts a schema before "
    "pg_catalog and is classified a harmless read",
)
def test_a_search_path_that_shadows_the_catalog_in_any_case_is_not_a_read(bench: Bench) -> None:
    """docs/sql.md lists as `unknown` "a `search_path` that puts a schema or `pg_temp`
    before `pg_catalog`". `set_config` reads its value as a list of identifiers, folding
    unquoted ones to lower case, so `'public, PG_CATALOG'` is `public, pg_catalog` on
    the server; the gateway compares the words as written, finds no `pg_catalog`, and
    calls the setting a harmless client one. After it, any function of the same name and
    arguments in `public` (an extension's, or one created later) runs in place of the
    built-in the classifier allow-listed."""
    shadow = "SELECT set_config('search_path', 'public, PG_CATALOG', false)"
    probe = "SELECT current_schemas(true)"
    # The server puts public first.
    assert '["public", "pg_catalog"]' in run_direct(bench.copy_dsn, [shadow, probe])
    # The same setting in lower case is refused, as documented.
    lower = bench.wire([shadow.replace("PG_CATALOG", "pg_catalog")])
    assert lower.status == "denied", lower.text
    outcome = bench.wire([shadow, probe])
    assert "{public,pg_catalog}" not in outcome.text, (
        f"public was put before pg_catalog through the gateway: {outcome.text}"
    )
