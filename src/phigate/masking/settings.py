"""The `masking:` section of phigate.yaml: profiles, operators and custom identifiers.

Three profiles are always present: ``hipaa-safe-harbor`` (every identifier
masked; ZIP kept to its first three digits, dates to their year, ages over 89
to ``90+``), ``secrets-only`` (credentials only) and ``none`` (nothing masked).
A configuration may add profiles or redefine these.
"""

from __future__ import annotations

import enum
from typing import Annotated

import re2
from pydantic import BaseModel, Field, field_validator, model_validator

from phigate.masking.entities import AGE, BUILTIN_TYPES, DATE, SECRET_TYPES, ZIP


class Operator(enum.StrEnum):
    """How a detected entity is replaced."""

    REDACT = "redact"  # typed placeholder: [SSN]
    PARTIAL = "partial"  # keep the last `partial_keep` characters: ***-**-6789
    PSEUDONYM = "pseudonym"  # keyed HMAC-SHA256 token, stable across rows and queries
    DATE_SHIFT = "date_shift"  # shift dates by a keyed per-subject offset
    GENERALIZE = "generalize"  # ZIP3, year of a date, 90+ for ages
    DROP = "drop"  # remove the value
    KEEP = "keep"  # leave it as is


EntityName = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]{0,39}$")]


class ProfileConfig(BaseModel, frozen=True, extra="forbid"):
    """One masking profile: which types are masked, how, and who may see what."""

    description: str = ""
    # Types this profile masks; None means every built-in and custom type.
    entities: tuple[EntityName, ...] | None = None
    default_operator: Operator = Operator.REDACT
    operators: dict[EntityName, Operator] = Field(default_factory=dict)
    # Entity type -> groups whose members see that type unmasked.
    reveal: dict[EntityName, tuple[str, ...]] = Field(default_factory=dict)
    # Run the optional NER detector (spaCy) on free text, on top of the rules.
    ner: bool = False
    partial_keep: int = Field(default=4, ge=0, le=8)
    date_shift_max_days: int = Field(default=365, ge=1, le=3650)

    @field_validator("reveal")
    @classmethod
    def _no_secret_reveal(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        leaked = SECRET_TYPES & value.keys()
        if leaked:
            raise ValueError(f"credentials cannot be revealed by a profile: {sorted(leaked)}")
        return value

    def masks(self, entity_type: str) -> bool:
        """Whether this profile detects and masks `entity_type` at all."""
        if self.entities is not None and entity_type not in self.entities:
            return False
        return self.operator_for(entity_type) is not Operator.KEEP

    def operator_for(self, entity_type: str) -> Operator:
        return self.operators.get(entity_type, self.default_operator)

    def labelled(self) -> ProfileConfig:
        """This profile with every value it masks replaced by its label (`[DATE]`):
        the same types masked, but never a generalised, shifted, partial or
        pseudonymised value a reader could take for the one that runs."""
        keep = Operator.KEEP
        default = keep if self.default_operator is keep else Operator.REDACT
        ops = {t: keep if op is keep else Operator.REDACT for t, op in self.operators.items()}
        return self.model_copy(update={"default_operator": default, "operators": ops})


class CustomIdentifier(BaseModel, frozen=True, extra="forbid"):
    """An internal identifier declared in configuration, by regex and/or dictionary."""

    type: EntityName
    # An RE2 pattern (linear time); if it has a group named `value`, only that is masked.
    pattern: str | None = None
    # Exact terms (case-insensitive, whole words).
    terms: tuple[str, ...] = ()
    # Column names or "schema.table.column" lineage that hold this type whole.
    columns: tuple[str, ...] = ()

    @field_validator("pattern")
    @classmethod
    def _compiles_in_re2(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re2.compile(value)
            except re2.error as exc:
                raise ValueError(f"pattern does not compile in RE2: {exc}") from exc
        return value

    @model_validator(mode="after")
    def _has_a_source(self) -> CustomIdentifier:
        if self.pattern is None and not self.terms and not self.columns:
            raise ValueError(f"identifier {self.type} needs a pattern, terms or columns")
        return self


_SAFE_HARBOR_OPERATORS = {
    ZIP: Operator.GENERALIZE,
    DATE: Operator.GENERALIZE,
    AGE: Operator.GENERALIZE,
}

BUILTIN_PROFILES: dict[str, ProfileConfig] = {
    "hipaa-safe-harbor": ProfileConfig(
        description="All HIPAA Safe Harbor identifiers and secrets masked",
        operators=_SAFE_HARBOR_OPERATORS,
    ),
    "secrets-only": ProfileConfig(
        description="Only credentials and secrets masked", entities=tuple(sorted(SECRET_TYPES))
    ),
    "none": ProfileConfig(description="Nothing masked", entities=()),
}


class MaskingSettings(BaseModel, frozen=True, extra="forbid"):
    """The `masking:` section of phigate.yaml."""

    profiles: dict[str, ProfileConfig] = Field(default_factory=dict, validate_default=True)
    identifiers: tuple[CustomIdentifier, ...] = ()
    # Column (name, table.column or schema.table.column) -> entity type, or "KEEP".
    columns: dict[str, str] = Field(default_factory=dict)
    # Rows sampled to classify columns whose name and lineage say nothing.
    sample_rows: int = Field(default=20, ge=1, le=1000)
    # JSON nested deeper than this is replaced whole (fail closed, bounded recursion:
    # the walker and the reader recurse once or twice a level, within Python's limit).
    max_json_depth: int = Field(default=64, ge=1, le=200)

    @field_validator("profiles")
    @classmethod
    def _with_builtins(cls, value: dict[str, ProfileConfig]) -> dict[str, ProfileConfig]:
        return {**BUILTIN_PROFILES, **value}

    @model_validator(mode="after")
    def _types_are_known(self) -> MaskingSettings:
        known = BUILTIN_TYPES | {ident.type for ident in self.identifiers}
        for name, profile in self.profiles.items():
            used = set(profile.operators) | set(profile.reveal) | set(profile.entities or ())
            unknown = used - known
            if unknown:
                raise ValueError(f"profile {name!r} names unknown entity types {sorted(unknown)}")
        bad = {v for v in self.columns.values() if v != "KEEP" and v not in known}
        if bad:
            raise ValueError(f"masking.columns names unknown entity types {sorted(bad)}")
        return self

    def column_types(self) -> dict[str, str]:
        """`columns` and every identifier's `columns`, lower-cased: the overrides the
        column classifier reads (`phigate.masking.columns.classify`), one way for the
        row masker, the catalog listing and policy's `predicate_masked`."""
        overrides = {k.lower(): v for k, v in self.columns.items()}
        for ident in self.identifiers:
            overrides.update({c.lower(): ident.type for c in ident.columns})
        return overrides

    def known_types(self) -> frozenset[str]:
        return BUILTIN_TYPES | {ident.type for ident in self.identifiers}
