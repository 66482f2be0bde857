"""The README's REST examples, run as written: each `curl` in a `sh` block is parsed
from README.md and sent to a gateway with the demo policy, in the README's order.

The status a reader is promised is the one checked: a `# 202 …` comment under the
command, `"status": "executed"` in the `json` block after it, otherwise success.
`act_X` and `apr_Y` stand for the ids of the last request that waited for approval.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.conftest import Harness

README = Path(__file__).parents[1] / "README.md"
_BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
_TOKEN = re.compile(r"\$\(tok ([\w-]+)\)")
_PROMISED = re.compile(r"^# (\d{3})\b")


@dataclass
class Example:
    line: int
    argv: list[str]
    status: int | None  # None: any 2xx


def _complete(command: str) -> bool:
    try:
        shlex.split(command, comments=True)
    except ValueError:  # a quoted argument goes on to the next line
        return False
    return True


def _commands(block: str) -> list[tuple[int, str, int | None]]:
    """(line offset, command, promised status) for each curl in a shell block."""
    lines = block.splitlines()
    found: list[tuple[int, str, int | None]] = []
    i = 0
    while i < len(lines):
        start, text = i, lines[i]
        while (text.endswith("\\") or not _complete(text)) and i + 1 < len(lines):
            i += 1
            text = text.removesuffix("\\") + "\n" + lines[i]
        i += 1
        if text.startswith("curl "):
            promised = _PROMISED.match(lines[i]) if i < len(lines) else None
            found.append((start, text, int(promised[1]) if promised else None))
    return found


def readme_examples() -> list[Example]:
    text = README.read_text()
    examples: list[Example] = []
    for block in _BLOCK.finditer(text):
        first_line = text.count("\n", 0, block.start(2)) + 1
        if block[1] == "json" and examples and '"status": "executed"' in block[2]:
            examples[-1].status = 200
        if block[1] != "sh":
            continue
        for offset, command, status in _commands(block[2]):
            argv = shlex.split(command, comments=True)
            examples.append(Example(first_line + offset, argv, status))
    return examples


def _request(argv: list[str], tokens: dict[str, str], ids: dict[str, str]) -> httpx.Request:
    method, headers, body, url = "GET", {}, None, ""
    args = iter(argv[1:])
    for arg in args:
        if arg == "-X":
            method = next(args)
        elif arg == "-H":
            name, _, value = next(args).partition(": ")
            headers[name] = _TOKEN.sub(lambda m: tokens[m[1]], value)
        elif arg == "-d":
            body = next(args)
            method = "POST" if method == "GET" else method
        elif arg.startswith("$API"):
            url = arg.removeprefix("$API")
    for placeholder, real in ids.items():
        url = url.replace(placeholder, real)
    return httpx.Request(method, "http://phigate.test" + url, headers=headers, content=body)


def test_the_readme_has_the_examples_this_test_runs() -> None:
    examples = readme_examples()
    assert len(examples) >= 8
    assert {e.status for e in examples} >= {200, 202, 403}


async def test_readme_rest_examples_run_as_written(harness: Harness) -> None:
    ids: dict[str, str] = {}
    for example in readme_examples():
        request = _request(example.argv, harness.tokens, ids)
        response = await harness.client.send(request)
        where = f"README.md:{example.line} {request.method} {request.url.path}"
        if example.status is None:
            assert response.is_success, f"{where}: {response.status_code} {response.text}"
        else:
            assert response.status_code == example.status, f"{where}: {response.text}"
        if response.status_code == 202:
            body = response.json()
            ids = {"act_X": body["id"], "apr_Y": body["approval"]["id"]}
