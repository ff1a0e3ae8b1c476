"""``pip install ./env`` gives an OpenEnv user the typed client and models, without the server.

The package is built from a copy of ``env/`` (so the checkout stays clean) by pip itself, with
build isolation, exactly as a user's ``pip install`` builds it, into a throwaway ``--target``
directory; then a fresh interpreter, started where the repository's ``env`` cannot be seen,
imports it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow

# graderlib is optional to the client (the server always has it and judges categories), so the
# probe blocks it: the client must import and build actions without it.
PROBE = """
import sys
sys.modules["graderlib"] = None  # "import graderlib" now raises ImportError
import importlib.metadata, importlib.util, json
from openenv.core.env_client import EnvClient
import graderlib_env
from graderlib_env import CodeReviewAction, CodeReviewEnv, ReviewFinding
action = CodeReviewAction(kind="report", findings=[ReviewFinding(line=3, category="sqli")])
print(json.dumps({
    "file": graderlib_env.__file__,
    "client": issubclass(CodeReviewEnv, EnvClient),
    "action": action.model_dump(mode="json", exclude_none=True),
    "server": importlib.util.find_spec("graderlib_env.server") is not None,
    "repo_env": importlib.util.find_spec("env") is not None,
    "version": importlib.metadata.version("graderlib-env"),
    "graderlib": sys.modules["graderlib"] is not None,
}))
"""


def test_pip_installs_the_client_and_models_without_the_server(tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(
        REPO / "env",
        source,
        ignore=shutil.ignore_patterns("server", "__pycache__", "build", "*.egg-info"),
    )
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(site),
         str(source)],
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr

    probe = subprocess.run(
        [sys.executable, "-P", "-c", PROBE],  # -P: the checkout's env/ is not on the path
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert probe.returncode == 0, probe.stderr
    seen = json.loads(probe.stdout)
    assert str(seen["file"]).startswith(str(site / "graderlib_env"))
    assert seen["client"] is True and seen["version"] == "0.1.0"
    assert seen["action"] == {
        "kind": "report",
        "findings": [{"line": 3, "category": "sqli", "message": ""}],
        "metadata": {},
    }
    assert seen["server"] is False and seen["repo_env"] is False and seen["graderlib"] is False
