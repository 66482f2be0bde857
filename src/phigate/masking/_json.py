"""Masking nested JSON: the walk over objects, lists and scalars, depth bounded.
Keys hint at types and are masked when they hold values (`_json_keys`), labels say
what a sibling value is (`_json_labels`), tables type their cells by column
(`_json_tables`), FHIR identifiers are masked by their shape (`_fhir_identifiers`)."""

from __future__ import annotations

from phigate.masking._fhir_identifiers import IMPERSONAL, identifier_type, mask_search_tokens
from phigate.masking._hints import KEEP, TEXT, hint
from phigate.masking._json_keys import (
    AGGREGATION_KEYS,
    COLUMNS,
    KIND,
    ROWS,
    TYPED,
    UNIT,
    VALUE,
    key_facts,
    masked_key,
    with_distinct_keys,
)
from phigate.masking._json_labels import old_age, sibling_label, typed_identifier
from phigate.masking._json_seams import mask_seams
from phigate.masking._json_tables import EITHER, PAIRS, pairs_reading, table_columns, table_header
from phigate.masking.value_masker import ValueMasker

TOO_DEEP = "[REDACTED:TOO_DEEP]"
TOO_DEEP_ENTITY = "TOO_DEEP"  # how a withheld subtree is counted

# The key_type of what sits under an `identifier` key: a FHIR Identifier whose `value`
# is an identifier of the resource's subject, whatever key names it.
_IDENTIFIER = "FHIR_IDENTIFIER"


def mask_json(
    masker: ValueMasker,
    value: object,
    counts: dict[str, int],
    depth: int,
    key_type: str | None = None,
    keys_type: str | None = None,
) -> object:
    """Masked copy of `value`; subtrees nested deeper than `depth` are replaced whole.
    `key_type` is what the key holding `value` says (`hint`), or `_IDENTIFIER`;
    `keys_type` what it says about the keys of the object under it (`_keys_hint`)."""
    if depth < 0:
        counts[TOO_DEEP_ENTITY] = counts.get(TOO_DEEP_ENTITY, 0) + 1
        return TOO_DEEP
    if isinstance(value, dict):
        if key_type == _IDENTIFIER and "value" in value:
            return _mask_object(masker, value, counts, depth, None, identifier_type(value))
        if not _entity(masker, key_type):
            value = _seamed_object(masker, value, counts)
        return _mask_object(masker, value, counts, depth, key_type, keys_type=keys_type)
    if isinstance(value, list | tuple):
        pairs = pairs_reading(value)
        if pairs == PAIRS:
            return [_pair(masker, pair, counts, depth - 1) for pair in value]
        at, header = table_header(value)
        if header is not None:
            above = [mask_json(masker, v, counts, depth - 1, key_type) for v in value[: at + 1]]
            if pairs == EITHER:  # `[["first_name", "ada"], ["visits", 3]]`: mask both ways
                above[0] = _pair(masker, value[0], counts, depth - 1)
            return [*above, *_mask_rows(masker, value[at + 1 :], header, counts, depth)]
        if not _entity(masker, key_type):
            value = _seamed_items(masker, value, counts)
        return [mask_json(masker, v, counts, depth - 1, key_type) for v in value]
    return _mask_scalar(masker, value, counts, key_type)


def _seamed_items(
    masker: ValueMasker, items: list[object] | tuple[object, ...], counts: dict[str, int]
) -> list[object] | tuple[object, ...]:
    """`items` with what is cut across neighbouring strings masked (`mask_seams`)."""
    texts = [item if isinstance(item, str) else None for item in items]
    seamed = mask_seams(masker, texts, counts) if len(texts) > 1 else {}
    if not seamed:
        return items
    return [seamed.get(i, item) for i, item in enumerate(items)]


def _seamed_object(
    masker: ValueMasker, value: dict[object, object], counts: dict[str, int]
) -> dict[object, object]:
    """`value` with what is cut across consecutive string values masked. Values under
    keys that say what they are (masked whole) or what they do (labels, `value`,
    columns: `key_role`) are left to the walk, and cut the run."""
    texts: list[str | None] = []
    for key, item in value.items():
        fact = key_facts(key if isinstance(key, str) else str(key))
        plain = isinstance(item, str) and not fact.role and not _entity(masker, fact.hint)
        texts.append(item if plain and isinstance(item, str) else None)
    seamed = mask_seams(masker, texts, counts) if len(texts) > 1 else {}
    if not seamed:
        return value
    return {key: seamed.get(i, item) for i, (key, item) in enumerate(value.items())}


def _mask_object(
    masker: ValueMasker,
    value: dict[object, object],
    counts: dict[str, int],
    depth: int,
    key_type: str | None,
    identifier: str | None = None,
    keys_type: str | None = None,
    columns: list[str | None] | None = None,
) -> dict[object, object]:
    """Keys are masked like values (`masked_key`); the items under them by what they
    say. In a FHIR Identifier (`identifier` is then what it identifies), `value` is an
    identifier of the resource's subject (a patient's SSN, MRN, member id) whatever its
    shape or key, masked whole and labelled by its `system` or `type`. Objects that
    say more than `key: value` (`key_role`) are read first: a label beside a value
    (`{"name": "ssn", "valueString": …}`), a Quantity of years over 89, a columnar
    table (`{"columns": [...], "rows": [[...]]}`)."""
    facts = [key_facts(key if isinstance(key, str) else str(key)) for key in value]
    # A key that names a type says so of everything under it (`{"ssn": {"0": …}}`,
    # `{"mrn": {"text": …}}`), but an index's values are records, not its keys' type.
    inherited = key_type if keys_type is None and _entity(masker, key_type) else None
    # A record whose own keys name types (a FHIR HumanName: `family`, `given`) says
    # what its fields are: only its value and text (`value`, `text`) take the type above.
    # An aggregation's bucket is none, whatever its sub-aggregations are named (`by_date`).
    record = (
        inherited is not None
        and "doc_count" not in value
        and any(_entity(masker, fact.hint) for fact in facts)
    )
    roles = 0
    for fact in facts:
        roles |= fact.role
    named, label_key, column_types = identifier, None, columns
    typed = False
    if roles:
        typed = roles & TYPED != 0 and roles & KIND != 0 and typed_identifier(value) is not None
        if named is None and (roles & VALUE or typed):
            named, label_key = sibling_label(masker, value, counts)
        if named is None and roles & UNIT and roles & VALUE:
            named = old_age(value)
        if roles & COLUMNS and roles & ROWS:
            column_types = table_columns(value) or column_types
    items: list[tuple[object, str | None, object]] = []
    renamed = False
    for (key, item), fact in zip(value.items(), facts, strict=True):
        if named is not None and (fact.role & VALUE or (typed and fact.role & TYPED)):
            masked = _labelled(masker, item, named, counts, depth - 1)
        elif label_key is not None and key == label_key[0]:
            masked = label_key[1]  # a field name, not a person's (`{"name": "ssn", …}`)
        elif column_types is not None and fact.role & ROWS and isinstance(item, list):
            masked = _mask_rows(masker, item, column_types, counts, depth - 1)
        elif column_types and fact.role & ROWS and isinstance(item, dict) and depth > 0:
            # the rows one object down: Databricks' `{"result": {"data_array": [...]}}`
            masked = _mask_object(masker, item, counts, depth - 1, None, columns=column_types)
        else:
            child_type = fact.hint
            if key == "identifier" and value.get("resourceType") not in IMPERSONAL:
                child_type = _IDENTIFIER
            elif child_type in (None, TEXT) and inherited is not None:
                if not record or child_type == TEXT or fact.role & VALUE:
                    child_type = inherited
            elif fact.key in AGGREGATION_KEYS and (key_type or keys_type) in masker.types:
                child_type = key_type if key_type in masker.types else keys_type
            keys = fact.keys_hint if isinstance(item, dict) else None
            masked = mask_json(masker, item, counts, depth - 1, child_type, keys)
        new_key = masked_key(masker, fact, counts, key_type, keys_type)
        renamed = renamed or new_key is not None
        items.append((key, new_key, masked))
    if not renamed:  # most objects: no key is masked, none can collide
        return {key: item for key, _, item in items}
    return with_distinct_keys(items)


def _entity(masker: ValueMasker, key_type: str | None) -> bool:
    """Whether `key_type` is a type this masker masks (not KEEP, TEXT or a marker)."""
    return key_type is not None and key_type not in (KEEP, TEXT) and key_type in masker.types


def _labelled(
    masker: ValueMasker, item: object, entity: str, counts: dict[str, int], depth: int
) -> object:
    """`item` masked as what its label (or column) names: a scalar whole, the `value*`
    of an object under it whole, the items of a list each so."""
    if depth < 0 or item is None or isinstance(item, bool):
        return mask_json(masker, item, counts, depth)
    if isinstance(item, dict):  # everything under the value is what its label names
        return _mask_object(masker, item, counts, depth, entity, entity)
    if isinstance(item, list | tuple):
        return [_labelled(masker, v, entity, counts, depth - 1) for v in item]
    if _is_scalar(item):
        return masker.whole(entity, item, counts)
    return mask_json(masker, item, counts, depth)


def _pair(
    masker: ValueMasker, pair: list[object] | tuple[object, ...], counts: dict[str, int], depth: int
) -> list[object]:
    """One `[name, value]` pair: the name stays, the value is masked as it names."""
    label, item = pair[0], pair[1]
    entity = hint(str(label))
    if _entity(masker, entity):
        return [label, _labelled(masker, item, str(entity), counts, depth - 1)]
    return [label, mask_json(masker, item, counts, depth - 1, entity)]


def _mask_rows(
    masker: ValueMasker,
    rows: list[object] | tuple[object, ...],
    types: list[str | None],
    counts: dict[str, int],
    depth: int,
) -> list[object]:
    """Each row's cells masked by their column's type, as rows through the SQL door
    are; a row that is no list (BigQuery's `{"f": [{"v": …}]}` included) is read as
    its shape says."""
    out: list[object] = []
    for row in rows:
        if depth - 1 < 0:
            out.append(mask_json(masker, row, counts, depth - 1))
        elif isinstance(row, list | tuple):
            out.append(
                [_cell(masker, cell, types, i, counts, depth - 2) for i, cell in enumerate(row)]
            )
        elif isinstance(row, dict) and _cells_key(row) is not None:
            # BigQuery's `{"f": [{"v": …}]}`, Google DataTable's `{"c": [{"v": …}], "p": …}`
            out.append(_dict_row(masker, row, types, counts, depth - 1))
        else:
            out.append(mask_json(masker, row, counts, depth - 1))
    return out


def _cells_key(row: dict[object, object]) -> str | None:
    for key in ("f", "c"):
        if isinstance(row.get(key), list):
            return key
    return None


def _dict_row(
    masker: ValueMasker,
    row: dict[object, object],
    types: list[str | None],
    counts: dict[str, int],
    depth: int,
) -> dict[object, object]:
    cells_key = _cells_key(row)
    out: dict[object, object] = {}
    for key, item in row.items():
        if key == cells_key and isinstance(item, list):
            out[key] = [_cell(masker, c, types, i, counts, depth - 1) for i, c in enumerate(item)]
        else:
            out[key] = mask_json(masker, item, counts, depth - 1)
    return out


def _cell(
    masker: ValueMasker,
    cell: object,
    types: list[str | None],
    i: int,
    counts: dict[str, int],
    depth: int,
) -> object:
    entity = types[i] if i < len(types) else None
    if isinstance(cell, dict) and "v" in cell:  # BigQuery {"v": …}; DataTable's `f` formats it
        return {
            key: _cell(masker, item, types, i, counts, depth - 1)
            if key in ("v", "f")
            else mask_json(masker, item, counts, depth - 1)
            for key, item in cell.items()
        }
    if entity is None:
        return mask_json(masker, cell, counts, depth)
    return _labelled(masker, cell, entity, counts, depth)


def _is_scalar(value: object) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _mask_scalar(
    masker: ValueMasker, value: object, counts: dict[str, int], key_type: str | None
) -> object:
    """Strings are scanned; a number is scanned as its JSON text (a phone number or a
    date as an integer is the same value as the string) and comes back as a string
    when masked. Numbers under keys that say they are not PHI (ids, counts, amounts)
    are kept, as the same column's values are in rows."""
    if value is None or isinstance(value, bool):
        return value
    if key_type is not None and key_type not in (KEEP, TEXT) and key_type in masker.types:
        return masker.whole(key_type, value, counts)
    if isinstance(value, str):
        if "=" in value:  # cheap: most strings hold no search token
            value = mask_search_tokens(masker, value, counts)
        return masker.mask_str(value, counts)
    if isinstance(value, int | float) and key_type != KEEP:
        text = str(value)
        masked = masker.mask_str(text, counts)
        return value if masked == text else masked
    return value
