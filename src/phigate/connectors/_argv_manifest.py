"""The kinds a kubectl manifest names — only for a manifest written plainly.

kubectl reads YAML with go-yaml v2 and builds objects its own way (sigs.k8s.io/yaml,
apimachinery's unstructured decoder); the gateway reads it with PyYAML. The two
disagree on tags (`kind: !!binary U2VjcmV0` is `Secret` to kubectl, bytes to
PyYAML), on merge keys (go-yaml applies `<<` where it stands, over keys written
before it) and on what a List's items are. Rather than model go-yaml case by case,
the gateway understands a manifest only when there is nothing to model: no tags,
anchors, aliases, merge keys, directives or duplicate keys; every document a mapping
whose `kind` is a string; every item of a List a mapping with a string `kind` of its
own, or with neither `kind` nor `apiVersion` (kubectl then gives it the List's kind
without its `List` suffix, and so does the gateway). Anything else is an
`ArgvProblem`: the command is `unknown`. The checks run on PyYAML's events and
nodes, so they see what was written rather than what a loader made of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import yaml
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    ScalarEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from phigate.connectors._argv_parse import ArgvProblem

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
# Plain words go-yaml v2 resolves to booleans and PyYAML keeps as strings: as keys they
# would collide with `true`/`false` once kubectl turns the document into JSON.
_GO_BOOLS = frozenset({"y", "Y", "n", "N"})


def manifest_kinds(text: str) -> set[str]:
    """Every kind a plain manifest names, at any depth; ArgvProblem for any other."""
    kinds: set[str] = set()
    for part in kubectl_documents(text):
        kinds |= _document_kinds(part)
    return kinds


def _document_kinds(part: str) -> set[str]:
    """The kinds of one of kubectl's documents, which PyYAML must read as one too."""
    try:
        _check_events(part)
        documents = list(yaml.compose_all(part, Loader=yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise ArgvProblem(f"the manifest is not YAML or JSON: {type(exc).__name__}") from None
    kinds: set[str] = set()
    for document in documents:
        if document is None or _is_empty(document):
            continue  # kubectl skips an empty document (`---` at the end)
        _check_keys(document)
        kinds |= _object_kinds(document, inherited=None)
        kinds |= set(_nested_kinds(document))
    return kinds


def kubectl_documents(text: str) -> list[str]:
    """The documents kubectl cuts a manifest stream into, before any YAML parser runs.

    apimachinery's YAMLReader reads lines ending at `\n` (a `\r` before it dropped)
    and ends a document at a line starting with `---` that holds nothing else but
    blanks or a `#` comment; YAML starts one only at `---` then a blank. So
    `---#: |` is a key to PyYAML and a cut to kubectl. A line starting with `---` is
    understood only as a cut both read alike (`---`, then spaces or tabs, then maybe
    a comment); a directive line, and a byte order mark past the start, are refused.
    The cut line is dropped, unless nothing precedes it in its document (kubectl keeps
    it then, as the document's start).
    """
    if "\ufeff" in text[1:]:
        raise _not_plain("a byte order mark inside the text")
    parts: list[list[str]] = [[]]
    for line in _lines(text):
        if line.startswith("%"):
            raise _not_plain("a %YAML or %TAG directive")
        if not line.startswith("---"):
            parts[-1].append(line)
        elif not _SEPARATOR.fullmatch(line):
            raise _not_plain(f"a document separator kubectl and YAML read apart ({line[:20]!r})")
        elif parts[-1]:
            parts.append([])
        else:
            parts[-1].append(line)
    return ["".join(f"{line}\n" for line in part) for part in parts]


# What follows `---` on a line both kubectl and YAML read as a document start.
_SEPARATOR = re.compile(r"---(?:[ \t]*|[ \t]+#.*)")


def _lines(text: str) -> list[str]:
    """Lines as bufio.ReadLine gives them: cut at `\n`, a `\r` before it dropped."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the text ended with a line break
    return [line.removesuffix("\r") for line in lines[:-1]] + lines[-1:]


def _not_plain(why: str) -> ArgvProblem:
    return ArgvProblem(f"the manifest is not plain YAML the gateway reads as kubectl does: {why}")


def _check_events(text: str) -> None:
    """No alias, anchor, tag or directive anywhere, as written; one document at most,
    not ended by `...` (go-yaml would read only the first of several)."""
    starts = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        starts += isinstance(event, DocumentStartEvent)
        if starts > 1:
            raise _not_plain("two documents where kubectl reads one")
        if isinstance(event, DocumentEndEvent) and event.explicit:
            raise _not_plain("a document end marker (...)")
        if isinstance(event, AliasEvent):
            raise _not_plain(f"an alias (*{event.anchor})")
        if isinstance(event, DocumentStartEvent) and (event.version or event.tags):
            raise _not_plain("a %YAML or %TAG directive")
        if isinstance(event, ScalarEvent | CollectionStartEvent):
            if event.anchor is not None:
                raise _not_plain(f"an anchor (&{event.anchor})")
            if event.tag is not None:
                raise _not_plain(f"a tag ({event.tag})")


def _is_empty(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _NULL and node.value == ""


def _check_keys(node: Node) -> None:
    """Every mapping key a string scalar, written once, and none a merge key."""
    if isinstance(node, SequenceNode):
        for item in node.value:
            _check_keys(item)
    if not isinstance(node, MappingNode):
        return
    seen: set[str] = set()
    for key, value in node.value:
        if isinstance(key, ScalarNode) and key.value == "<<":
            raise _not_plain("a merge key (<<)")  # quoted too: go-yaml's rule is its own
        if not isinstance(key, ScalarNode) or key.tag != _STR or key.value in _GO_BOOLS:
            raise _not_plain(f"a key that is not a plain string ({_shown(key)})")
        if key.value in seen:
            raise _not_plain(f"the key {key.value!r} written twice in one mapping")
        seen.add(key.value)
        _check_keys(value)


def _shown(node: Node) -> str:
    return repr(node.value)[:40] if isinstance(node, ScalarNode) else type(node).__name__


def _field(node: MappingNode, name: str) -> Node | None:
    return next((v for k, v in node.value if k.value == name), None)


def _string(node: Node | None) -> str | None:
    if isinstance(node, ScalarNode) and node.tag == _STR and node.value:
        return str(node.value)
    return None


def _object_kinds(node: Node, inherited: str | None) -> set[str]:
    """The kind of one object kubectl decodes (a document or a List's item), and of
    the items of a List: an object with an `items` sequence is one to kubectl."""
    if not isinstance(node, MappingNode):
        raise _not_plain("a document or List item that is not a mapping")
    written, version = _field(node, "kind"), _field(node, "apiVersion")
    kind = _string(written)
    if written is None and version is None and inherited:
        kind = inherited
    if kind is None:
        raise _not_plain(f"an object whose kind is not a string ({_shown_kind(written)})")
    items = _field(node, "items")
    if items is None:
        return {kind}
    if not isinstance(items, SequenceNode):
        raise _not_plain(f"the items of {kind} are not a list")
    out = {kind}
    for item in items.value:
        out |= _object_kinds(item, kind.removesuffix("List") if written is not None else None)
    return out


def _shown_kind(node: Node | None) -> str:
    return "missing" if node is None else _shown(node)


def _nested_kinds(node: Node) -> Iterator[str]:
    """Every `kind` string at any depth (pod templates, embedded objects)."""
    if isinstance(node, SequenceNode):
        for item in node.value:
            yield from _nested_kinds(item)
    elif isinstance(node, MappingNode):
        for key, value in node.value:
            kind = _string(value) if key.value == "kind" else None
            if kind is not None:
                yield kind
            yield from _nested_kinds(value)
