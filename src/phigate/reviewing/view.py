"""The reviewer's view of an action: the one function every reviewer surface renders.

The console (pages and inbox), Slack blocks, Teams cards, webhooks, the CLI and the
REST views all start from `approval_json`, so what a reviewer reads is the same
everywhere and is exactly what runs: free text is scrubbed of PHI, then every hidden
or look-alike character is escaped and counted (`_reveal`), long runs of spaces are
counted instead of scrolling away, the bytes that will be sent are shown (`_sent`),
and an UPDATE or DELETE without WHERE is called out. Who may see an action, and how
much of it, is decided in `phigate.reviewing.sight`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any, cast

from psycopg import postgres

from phigate.approvals import Approval
from phigate.config import Rule
from phigate.core import clock
from phigate.core.action_store import ActionRecord
from phigate.core.bound_files import FILES_KEY, scrubbed_without_contents, without_contents
from phigate.core.errors import NotAllowedError
from phigate.identity.principal import Principal
from phigate.masking.columns import ColumnInfo, classify
from phigate.pipeline.gateway import Gateway
from phigate.policy.engine import columns_matching, masked_predicates
from phigate.reviewing._reveal import Shown, mixes_scripts, reveal
from phigate.reviewing._sent import exec_sent, http_sent
from phigate.reviewing._sql import pretty, reveal_sql, unbounded_writes
from phigate.reviewing.sight import Sight, sight

_SENSITIVITY = {
    "KEEP": "not identifying",
    "CHECKED": "codes and keys, checked for identifiers",
    "TEXT": "free text, scanned",
    "PROBE": "sampled",
}


def visible_action(
    gateway: Gateway, principal: Principal, record: ActionRecord, approval: Approval | None
) -> dict[str, Any]:
    """An action as `principal` may see it: its owner the exact body too, a reviewer or
    auditor only the scrubbed view. Raises NotAllowedError for anyone else."""
    seen = sight(gateway, principal, record, approval)
    if seen is Sight.NONE:
        raise NotAllowedError("you may not see this action")
    view: dict[str, Any] = record.to_json() if seen is Sight.OWNER else _outline(gateway, record)
    contents = seen is Sight.REVIEWER
    view["review"] = review_json(gateway, record, contents=contents)
    view["approval"] = approval_json(gateway, approval, contents=contents) if approval else None
    return view


def visible_approval(gateway: Gateway, principal: Principal, approval: Approval) -> dict[str, Any]:
    """`approval_json` as `principal` may see it: the text of a file the action binds
    only for a reviewer or auditor (`phigate.core.bound_files`). Raises NotAllowedError
    for anyone who may not see it at all. Blocking, like `approval_json`."""
    seen = sight(gateway, principal, gateway.action(approval.action_id), approval)
    if seen is Sight.NONE:
        raise NotAllowedError("you may not see this approval")
    return approval_json(gateway, approval, contents=seen is Sight.REVIEWER)


def _outline(gateway: Gateway, record: ActionRecord) -> dict[str, Any]:
    """What a reviewer sees of an action besides `review`: no body, no raw reason."""
    return {
        "id": record.id,
        "status": record.status,
        "created_at": record.created_at,
        "connection": record.action.connection,
        "kind": record.action.kind,
        "principal": record.action.principal.to_json(),
        "front_door": record.action.front_door,
        "reveal": list(record.action.reveal),
        "risk": record.description.risk.value,
        "decision": record.decision,
        "rule": record.rule,
        "decision_reason": reveal(gateway.scrub(record.decision_reason)).text,
        "masking": record.masking,
        "finished_at": record.finished_at,
    }


def approval_json(gateway: Gateway, approval: Approval, *, contents: bool) -> dict[str, Any]:
    """An approval as reviewers see it: who, on whose behalf, what, why, votes, time left.

    `contents`: show the text of the files the action binds (for reviewers, who must
    see what runs); otherwise each is named by size and sha256 (`visible_approval`).

    Blocking (reads the stores): call it in a worker thread from async code.
    """
    record = gateway.action(approval.action_id)
    view = approval.to_json()
    for vote in cast(list[dict[str, Any]], view["votes"]):
        vote["comment"] = reveal(gateway.scrub(vote["comment"])).text
    view["url"] = approval_url(gateway, approval.id)
    view["seconds_left"] = max(0, round(approval.expires_at - clock.now()))
    view["time_left"] = time_left(approval.expires_at - clock.now())
    view["approvals_so_far"] = approval.approvals_so_far
    view["votes_text"] = approval.votes_text  # each requirement: "1 of 2 from data-owners"
    view["rules"] = list(approval.rules(record.rule))  # every rule it waits for, not one
    action = view["action"] = action_json(gateway, record, contents=contents)
    requested_by = action["requested_by"]
    view["agent"] = requested_by["subject"] if requested_by["kind"] == "agent" else None
    return view


def action_json(gateway: Gateway, record: ActionRecord, *, contents: bool) -> dict[str, Any]:
    """The action as a reviewer sees it (scrubbed, escaped), never its result."""
    review = review_json(gateway, record, contents=contents)
    return {
        "id": record.id,
        "connection": record.action.connection,
        "kind": record.action.kind,
        "text": (
            gateway.scrub_sql(record.action.sql)
            if record.action.sql is not None
            else gateway.scrub(_action_text(record, contents))
        ),
        "params": gateway.scrub_params(record.action.params),
        "pretty": review["statement"],
        "pretty_ok": review["parsed"],
        "review": review,
        "risk": record.description.risk.value,
        "reasons": [r.text for r in _reasons(gateway, record)],
        # Names come from the caller's text (`"\u202e"` is a valid quoted identifier).
        "tables": [_escaped(gateway, t) for t in record.description.tables],
        "columns": [_escaped(gateway, c) for c in record.description.columns],
        "column_sensitivity": [
            {**row, "column": _escaped(gateway, row["column"])}
            for row in column_sensitivity(gateway, list(record.description.columns))
        ],
        "requested_by": record.action.principal.to_json(),
        "reason": _reason(gateway, record),
        "rule": record.rule,
        "masking": record.masking,
        "front_door": record.action.front_door,
        "status": record.status,
        "reveal": list(record.action.reveal),
        "held_on": [_escaped(gateway, c) for c in held_on(gateway, record)],
        "break_glass_rule": _is_break_glass_rule(gateway, record),
    }


def _reasons(gateway: Gateway, record: ActionRecord) -> list[Shown]:
    """The gateway's reasons, which quote the caller's input (a decoded path, a
    flag), scrubbed and escaped like every other text a reviewer reads."""
    return [reveal(gateway.scrub(r)) for r in record.description.reasons]


def _escaped(gateway: Gateway, text: str) -> str:
    return reveal(gateway.scrub(text)).text


def _rule(gateway: Gateway, name: str | None) -> Rule | None:
    return next((r for r in gateway.settings.policy.rules if r.name == name), None)


def held_on(gateway: Gateway, record: ActionRecord) -> list[str]:
    """The columns the action filters, joins or sorts on that made its rule hold it
    (`WHERE ssn LIKE '1%'` can read a masked value back bit by bit)."""
    rule = _rule(gateway, record.rule)
    if rule is None:
        return []
    used = record.description.detail.get("predicate_columns")
    held = columns_matching(rule.match.predicate_columns, used)
    if rule.match.predicate_masked:
        held += masked_predicates(used, gateway.decider.shown_as_stored)
    return list(dict.fromkeys(held))


def _is_break_glass_rule(gateway: Gateway, record: ActionRecord) -> bool:
    rule = _rule(gateway, record.rule)
    return rule is not None and rule.break_glass


def _reason(gateway: Gateway, record: ActionRecord) -> str | None:
    reason = record.action.reason
    return reveal(gateway.scrub(reason)).text if reason else None


def review_json(gateway: Gateway, record: ActionRecord, *, contents: bool) -> dict[str, Any]:
    """statement, sent, reason and params as escaped text, with the warnings they raise;
    the text of bound files only with `contents` (see `approval_json`)."""
    statement, sent, parsed = _statement_and_sent(gateway, record, contents)
    reason = reveal(gateway.scrub(record.action.reason or "none given"))
    params = record.action.params
    shown = gateway.scrub_params(params) if params else None
    shown_params = reveal(json.dumps(shown, ensure_ascii=False)) if params else None
    hidden = _hidden(statement, sent, shown_params)
    warnings = _warnings(record, hidden, sent, reason, parsed)
    warnings += _scripts_warning(sent, statement, *([shown_params] if shown_params else []))
    warnings += masked_warning(gateway, record, contents)
    in_reasons = [h for r in _reasons(gateway, record) for h in r.hidden]
    if in_reasons:
        warnings.append(_hidden_warning("the gateway's reasons", in_reasons))
    parts = {"statement": statement, "sent": sent, "reason": reason}
    if shown_params is not None:
        parts["params"] = shown_params
    types = _param_types(record)
    if types is not None:
        parts["param_types"] = types
    settings = _settings(gateway, record)
    if settings is not None:
        parts["settings"] = settings
    return {
        **{name: shown.text for name, shown in parts.items()},
        "params": shown_params.text if shown_params else None,
        "parsed": parsed,
        "unmasked": unmasked(gateway, record),
        "hidden": len(hidden),
        "warnings": warnings,
        # (text, is_escape) pieces, so a surface that can style marks each escape
        "marked": {name: [list(s) for s in shown.segments] for name, shown in parts.items()},
    }


def _param_types(record: ActionRecord) -> Shown | None:
    """The types a wire Parse declared for its values (`{"$1": "numeric"}`), which
    change what they mean (`$1 / 2` divides as numeric, not integer): bound into the
    vote like the values, and run with. Built-in types by name, others by OID."""
    declared = record.action.body.get("param_types")
    if not isinstance(declared, list) or not any(declared):
        return None
    named = {f"${i}": _type_name(oid) for i, oid in enumerate(declared, 1) if oid}
    return reveal(json.dumps(named, ensure_ascii=False))


def _type_name(oid: object) -> str:
    info = postgres.types.get(oid) if isinstance(oid, int) else None
    return info.name if info is not None else f"type with OID {oid}"


def _settings(gateway: Gateway, record: ActionRecord) -> Shown | None:
    """The client session's settings a wire write runs with (`DateStyle`, `search_path`
    …), which change what its text means: bound into the vote like its values."""
    settings = record.action.body.get("settings")
    if not settings:
        return None
    return reveal(gateway.scrub(json.dumps(settings, ensure_ascii=False, sort_keys=True)))


def unmasked(gateway: Gateway, record: ActionRecord) -> str | None:
    """What the request asks to see unmasked, in the console's words, or None: the
    reveal is often the very thing a reviewer decides (a read held only for it)."""
    asked = record.action.reveal
    if not asked:
        return None
    what = "every PHI type" if "*" in asked else ", ".join(_escaped(gateway, k) for k in asked)
    columns = [_escaped(gateway, c) for c in record.description.columns]
    where = f", in columns {', '.join(columns)}" if columns else ""
    return (
        f"asks to see {what} unmasked, for this one execution only{where}. "
        "Secrets and credentials stay masked."
    )


_LABEL = re.compile(r"\[[A-Z][A-Z_]*(?:,[A-Z][A-Z_]*)*\]")


def masked_warning(gateway: Gateway, record: ActionRecord, contents: bool) -> list[str]:
    """Say so when values in what runs are masked for reviewers: a number or argument
    that looks like PHI (a build number, an id) is shown as `[PHONE]`, and the action
    runs with the value no reviewer sees."""
    action = record.action
    labels: Counter[str] = Counter()
    if action.sql is not None:
        labels += _new_labels(action.sql, gateway.scrub_sql(action.sql))
        params = json.dumps(action.params, ensure_ascii=False)
        labels += _new_labels(params, json.dumps(gateway.scrub_params(action.params)))
    else:
        seen = _body(record, contents=contents)
        body = json.dumps(seen, ensure_ascii=False, sort_keys=True)
        shown = json.dumps(
            _scrubbed_body(gateway, record, contents), ensure_ascii=False, sort_keys=True
        )
        labels += _new_labels(body, shown)
        if body != shown and not labels:
            labels["[MASKED]"] += 1
    if not labels:
        return []
    kinds = ", ".join(sorted(labels))
    return [
        f"{labels.total()} value(s) are masked for reviewers, shown as {kinds}; it runs "
        "with the real values, which no reviewer view shows. If a masked value decides "
        "what runs (an id, a build number), ask for the request without it."
    ]


def _new_labels(original: str, shown: str) -> Counter[str]:
    """The `[ENTITY]` labels masking put into `shown`, counted."""
    return Counter(_LABEL.findall(shown)) - Counter(_LABEL.findall(original))


def _hidden(statement: Shown, sent: Shown, params: Shown | None) -> list[str]:
    """What was escaped in the action. The re-printed statement can hold characters
    the text spelled as escapes (E'\\u202e', U&'\\02BC'), so it counts as well."""
    text = statement.hidden if len(statement.hidden) > len(sent.hidden) else sent.hidden
    return text + (params.hidden if params else [])


def _body(record: ActionRecord, *, contents: bool) -> dict[str, Any]:
    """The action's body, bound files as text (`contents`) or by digest."""
    return record.action.body if contents else without_contents(record.action.body)


def _scrubbed_body(gateway: Gateway, record: ActionRecord, contents: bool) -> Any:
    """The body scrubbed of PHI and secrets; without `contents`, files by digest."""
    if contents:
        return gateway.scrub(record.action.body)
    return scrubbed_without_contents(record.action.body, gateway.scrub)


def _statement_and_sent(
    gateway: Gateway, record: ActionRecord, contents: bool
) -> tuple[Shown, Shown, bool]:
    kind, body = record.action.kind, _scrubbed_body(gateway, record, contents)
    if record.action.sql is not None:
        # Parsed and re-printed as it runs, then masked: a masked constant (`[PHONE]`
        # for a number) must not make a statement that runs look unparseable.
        text = gateway.scrub_sql(record.action.sql)
        printed, parsed = pretty(record.action.sql)
        printed = gateway.scrub_sql(printed) if parsed else text
        return reveal_sql(printed), reveal_sql(text), parsed
    if kind == "exec" and isinstance(body, dict):
        sent = exec_sent(body)
    elif kind == "http" and isinstance(body, dict):
        sent = http_sent(body)
    else:
        # The scrubbed body itself, not ASCII JSON: a `\u202e` spelled out in ASCII is
        # never seen by the escaping, so no warning would count it.
        sent = reveal(json.dumps(body, ensure_ascii=False, sort_keys=True, default=str))
    return sent, sent, True


def _warnings(
    record: ActionRecord, hidden: list[str], sent: Shown, reason: Shown, parsed: bool
) -> list[str]:
    warnings = []
    if hidden:
        warnings.append(_hidden_warning("this statement", hidden))
    for run in sorted(set(sent.space_runs)):
        warnings.append(f"a run of {run} spaces is shown as ⟨{run} spaces⟩")
    if reason.hidden:
        warnings.append(_hidden_warning("the reason", reason.hidden))
    if not parsed:
        warnings.append("the statement could not be parsed; it is shown exactly as sent")
    if record.action.sql is not None:
        warnings.extend(unbounded_writes(record.action.sql))
    return warnings


def _scripts_warning(*shown: Shown) -> list[str]:
    """Say so when what runs is written in more than one script: a word of its own in
    another script (a Cyrillic name in a literal) is shown as written, so the reviewer
    should read it as that script, not take it for the Latin word it may resemble."""
    scripts: set[str] = set().union(*(s.scripts for s in shown))
    if not mixes_scripts(scripts):
        return []
    names = ", ".join(sorted(s.title() for s in scripts - {"COMMON", "INHERITED"}))
    return [
        f"this statement mixes scripts ({names}): letters that pass for Latin ones within "
        "a word are escaped; read a word written wholly in another script as that script"
    ]


def _hidden_warning(what: str, reasons: list[str]) -> str:
    kinds = "; ".join(f"{n} × {r}" for r, n in Counter(reasons).most_common(4))
    more = "; …" if len(set(reasons)) > 4 else ""
    return (
        f"{what} contains {len(reasons)} hidden or look-alike characters, "
        f"shown as escapes such as \\u02bc or \\n ({kinds}{more})"
    )


def _action_text(record: ActionRecord, contents: bool) -> str:
    """The SQL, the command line, or the request line (for machines; `review` for people)."""
    detail, body = record.description.detail, _body(record, contents=contents)
    if isinstance(detail.get("command"), str):
        stdin, files = body.get("stdin"), body.get(FILES_KEY)
        text = str(detail["command"]) + (f"\n--- stdin ---\n{stdin}" if stdin else "")
        for name, content in sorted(files.items()) if isinstance(files, dict) else ():
            shown = content if isinstance(content, str) else json.dumps(content)
            text += f"\n--- file {name} ---\n{shown}"
        return text
    if isinstance(detail.get("request"), str):
        payload = body.get("body")
        shown = payload if isinstance(payload, str) else json.dumps(payload, indent=2)
        return str(detail["request"]) + (f"\n\n{shown}" if payload is not None else "")
    return record.action.summary_text()


def column_sensitivity(gateway: Gateway, columns: list[str]) -> list[dict[str, str]]:
    overrides = dict(gateway.settings.masking.columns)
    rows = []
    for column in columns:
        kind = classify(ColumnInfo(name=column.rsplit(".", 1)[-1], sources=(column,)), overrides)
        rows.append({"column": column, "sensitivity": _SENSITIVITY.get(kind, kind)})
    return rows


def time_left(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    if seconds >= 60:
        return f"{seconds // 60} min"
    return f"{seconds} s"


def approval_url(gateway: Gateway, approval_id: str) -> str:
    """Where a reviewer opens this approval; the one place every door builds it."""
    return f"{gateway.settings.server.base_url().rstrip('/')}/ui/approvals/{approval_id}"
