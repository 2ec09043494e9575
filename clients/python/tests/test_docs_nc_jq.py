"""Replays the `nc`/`jq` transcript in docs/protocol.md ("With nc and jq") against the real
server: every `$` line is run with bash (port 7420 replaced by the test server's, and
$CASELOAD_TOKEN set to a fresh agency's token) and its output compared with the lines under it.
Missing tools fail the test: deploy/ensure-deps.sh installs them."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import List, Tuple

import pytest

PROTOCOL_MD = Path(__file__).resolve().parents[3] / "docs" / "protocol.md"
SECTION = "## With nc and jq"


def transcript() -> List[Tuple[str, List[str]]]:
    text = PROTOCOL_MD.read_text(encoding="utf-8")
    assert SECTION in text, f"{PROTOCOL_MD} has no '{SECTION}' section"
    body = text.split(SECTION, 1)[1]
    body = re.split(r"^## ", body, maxsplit=1, flags=re.M)[0]
    steps: List[Tuple[str, List[str]]] = []
    for block in re.findall(r"^```console\n(.*?)^```", body, flags=re.S | re.M):
        for line in block.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            else:
                assert steps, f"output before any command in the transcript: {line!r}"
                steps[-1][1].append(line)
    return steps


def same(expected: str, actual: str) -> bool:
    """Lines are equal, or both JSON with equal values (key order is not meaning)."""
    if expected == actual:
        return True
    try:
        return json.loads(expected) == json.loads(actual)
    except ValueError:
        return False


def test_the_transcript_is_there():
    steps = transcript()
    assert len(steps) >= 6
    assert all("nc -N 127.0.0.1 7420" in command for command, _ in steps)
    assert all(output for _, output in steps), "every command shows its output"


def test_nc_and_jq_are_installed():
    problems = []
    if shutil.which("jq") is None:
        problems.append("jq is missing")
    nc = shutil.which("nc")
    if nc is None:
        problems.append("nc is missing")
    else:
        usage = subprocess.run([nc, "-h"], capture_output=True, text=True).stderr
        if "-N" not in usage:
            problems.append(f"{nc} is not OpenBSD netcat (no -N option)")
    if problems:
        pytest.fail(
            "; ".join(problems) + ". Run deploy/ensure-deps.sh as root, or: apt-get install netcat-openbsd jq",
            pytrace=False,
        )


@pytest.mark.parametrize("index", range(len(transcript())))
def test_transcript_replays(caseload_server, token, index):
    if shutil.which("nc") is None or shutil.which("jq") is None:
        pytest.fail("nc and jq are needed (apt-get install netcat-openbsd jq; deploy/ensure-deps.sh does it)", pytrace=False)
    command, expected = transcript()[index]
    command = command.replace("127.0.0.1 7420", f"{caseload_server.host} {caseload_server.port}")
    env = dict(os.environ, CASELOAD_TOKEN=token)
    proc = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], env=env, capture_output=True, text=True, timeout=30
    )
    assert proc.returncode == 0, f"{command}\nexited {proc.returncode}: {proc.stderr}"
    actual = proc.stdout.splitlines()
    assert len(actual) == len(expected) and all(same(e, a) for e, a in zip(expected, actual)), (
        f"{command}\nexpected:\n" + "\n".join(expected) + "\nactual:\n" + "\n".join(actual)
    )
