"""SQL definitions read from the catalogs: their structure passes, their constants do not.

A constraint, an index predicate, a default, a policy, a view or a function body is
SQL text written by the schema's owners, and the constants in it are whatever they
wrote: `CHECK (member_id <> '409-18-7858')`, `WHERE mrn = '35490178'`, `DEFAULT
'Hobbs'`. Detectors read free text by its context; a bare name or number quoted in
SQL has none. So every quoted literal of a definition is withheld, except one cast
to an object name (`'patients_id_seq'::regclass`, which the server resolved when the
definition was made); the rest is scanned as free text. Text this reader does not
follow (dollar quotes, escapes, comments, a quote left open) is withheld whole.
"""

from __future__ import annotations

import re2

from phigate.masking.value_masker import ValueMasker

WITHHELD_LITERAL = "'[WITHHELD]'"
_WHOLE = "[WITHHELD]"
_COUNTED = "WITHHELD"  # how each withheld constant (or whole text) is counted
# A standard string literal ('' inside is a quote), or something this reader does
# not follow: a lone quote, `$`, a backslash, the start of a comment. Double quotes
# are not read: a literal inside one (a quoted name, an array element) is withheld too.
_TOKENS = re2.compile(r"'(?:[^']|'')*'|['$\\]|--|/\*")
# Casts that make a literal the name of a schema object, resolved when it was written.
_NAME_CASTS = (
    "::regclass",
    "::regtype",
    "::regproc",
    "::regprocedure",
    "::regnamespace",
    "::regconfig",
    "::regdictionary",
    "::regoper",
    "::regoperator",
    "::regrole",
    "::regcollation",
)

# Catalog columns of SQL text (view columns, as lineage names them).
DEFINITION_COLUMNS = frozenset(
    {
        "pg_catalog.pg_indexes.indexdef",
        "pg_catalog.pg_policies.qual",
        "pg_catalog.pg_policies.with_check",
        "pg_catalog.pg_views.definition",
        "pg_catalog.pg_matviews.definition",
        "pg_catalog.pg_rules.definition",
        "pg_catalog.pg_proc.prosrc",
        "pg_catalog.pg_stats_ext_exprs.expr",
        "information_schema.columns.column_default",
        "information_schema.columns.generation_expression",
        "information_schema.check_constraints.check_clause",
        "information_schema.domains.domain_default",
        "information_schema.attributes.attribute_default",
        "information_schema.parameters.parameter_default",
        "information_schema.views.view_definition",
        "information_schema.routines.routine_definition",
        "information_schema.triggers.action_condition",
        "information_schema.triggers.action_statement",
        # A domain's default as written (`'35490178'::text`): the column default's
        # twin, which information_schema.domains.domain_default already shows.
        "pg_catalog.pg_type.typdefault",
        # The conditions pg_dump writes for an extension's configuration tables.
        "pg_catalog.pg_extension.extcondition",
        # A publication's row filter as written (`WHERE (last_name <> 'Gaines')`).
        "pg_catalog.pg_publication_tables.rowfilter",
    }
)
# Parse trees (`pg_node_tree`): their constants are lists of byte values no detector
# reads, so they are withheld whole; `pg_get_expr` renders them as definitions.
NODE_TREE_COLUMNS = frozenset(
    {
        "pg_catalog.pg_attrdef.adbin",
        "pg_catalog.pg_constraint.conbin",
        "pg_catalog.pg_index.indexprs",
        "pg_catalog.pg_index.indpred",
        "pg_catalog.pg_policy.polqual",
        "pg_catalog.pg_policy.polwithcheck",
        "pg_catalog.pg_rewrite.ev_qual",
        "pg_catalog.pg_rewrite.ev_action",
        "pg_catalog.pg_trigger.tgqual",
        "pg_catalog.pg_partitioned_table.partexprs",
        "pg_catalog.pg_proc.prosqlbody",
        "pg_catalog.pg_proc.proargdefaults",
        "pg_catalog.pg_type.typdefaultbin",
        "pg_catalog.pg_class.relpartbound",
        "pg_catalog.pg_statistic_ext.stxexprs",
        "pg_catalog.pg_publication_rel.prqual",
    }
)
# Every parse tree is of this type (a test asks the server for each `pg_node_tree`
# column of pg_catalog, and checks it is listed above): a column of it is withheld
# whole whatever lineage says, a function's result (`pg_get_publication_tables`'
# `qual`) included.
NODE_TREE_TYPE = "pg_node_tree"
NODE_TREE_OID = 194
# Constants stored bare, with no SQL around them to read: the value rows added before
# an `ADD COLUMN ... DEFAULT` take (`{35490178}`), a trigger's arguments as written.
# No detector has context for them, so they are withheld whole, as parse trees are.
STORED_VALUE_COLUMNS = frozenset(
    {
        "pg_catalog.pg_attribute.attmissingval",
        "pg_catalog.pg_trigger.tgargs",
    }
)


def mask_definition(masker: ValueMasker, text: str, counts: dict[str, int], subject: str) -> str:
    """`text` with its constants withheld and the rest scanned as free text."""
    pieces: list[str] = []
    last = withheld = 0
    for match in _TOKENS.finditer(text):
        token, start, end = match.group(), match.start(), match.end()
        if len(token) < 2 or token in ("--", "/*"):
            counts[_COUNTED] = counts.get(_COUNTED, 0) + 1
            return _WHOLE  # not read: nothing of it shown
        if token[0] == "'" and not text.startswith(_NAME_CASTS, end):
            pieces += [text[last:start], WITHHELD_LITERAL]
            last, withheld = end, withheld + 1
    if withheld:
        counts[_COUNTED] = counts.get(_COUNTED, 0) + withheld
    pieces.append(text[last:])
    return masker.mask_str("".join(pieces), counts, subject)
