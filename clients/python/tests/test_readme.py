"""The README's examples run: its ```python blocks in order as one script, its ```sh blocks
with bash (blocks marked `norun` are only shown), against the real server with a fresh
agency's token in CASELOAD_TOKEN and the server's address in CASELOAD_ADDR."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import List

README = Path(__file__).resolve().parent.parent / "README.md"
FENCE = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```", re.S | re.M)


def blocks(language: str) -> List[str]:
    found = []
    for lang, info, body in FENCE.findall(README.read_text(encoding="utf-8")):
        if lang == language and "norun" not in info.split():
            found.append(body)
    return found


def env_for(caseload_server, token, caseload_py=None):
    env = dict(os.environ, CASELOAD_ADDR=caseload_server.addr, CASELOAD_TOKEN=token, PYTHONIOENCODING="utf-8",
               CASELOAD_CONFIG_FILE="/nonexistent/caseload-login.json")
    if caseload_py:
        env["PATH"] = str(Path(caseload_py[0]).parent) + os.pathsep + env.get("PATH", "")
    return env


def test_python_examples_run(caseload_server, token, tmp_path):
    code = blocks("python")
    assert len(code) >= 8, "the README shows the client's features in ```python blocks"
    script = "\n\n".join(code)
    proc = subprocess.run([sys.executable, "-c", script], env=env_for(caseload_server, token), cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"README python examples failed:\n{proc.stdout}\n{proc.stderr}"
    out = proc.stdout
    assert "logged in to " in out and " as owner" in out
    assert "单位注册开通 Employer ready" in out
    assert "credit_code checksum " in out
    assert "someone changed the case; it is now at version 2" in out
    assert "system.ping: no answer within 0.5 s" in out
    assert "wrote " in out


def test_shell_examples_run(caseload_server, token, caseload_py, tmp_path):
    scripts = blocks("sh")
    assert scripts, "the README shows caseload-py in a ```sh block"
    for script in scripts:
        proc = subprocess.run(["bash", "-euo", "pipefail", "-c", script], env=env_for(caseload_server, token, caseload_py),
                              cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, f"README shell example failed:\n{script}\n{proc.stdout}\n{proc.stderr}"
        assert "pong from" in proc.stdout
        assert "exit status 1" in proc.stdout
        assert "credit_code: " in proc.stderr and "(checksum)" in proc.stderr
        assert "单位注册开通 Employer ready" in proc.stdout
