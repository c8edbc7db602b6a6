"""`make run` tells the app where it is served, so emailed links point at the right port."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

MAKE = shutil.which("make") or ""

pytestmark = pytest.mark.skipif(not MAKE, reason="needs make")


def started_with(*args: str, **env: str) -> str:
    """The command `make run` would start the processes with (make -n runs nothing)."""
    environ = {k: v for k, v in os.environ.items() if k != "BITCACHE_SITE_URL"} | env
    out = subprocess.run(
        [MAKE, "-n", "run", *args], cwd=REPO, env=environ, capture_output=True, text=True
    )
    (line,) = [line for line in out.stdout.splitlines() if "honcho" in line]
    return line


def test_emails_link_to_the_port_make_run_serves_on():
    assert "BITCACHE_SITE_URL=http://127.0.0.1:8123 " in started_with("PORT=8123")


def test_emails_link_to_the_host_make_run_serves_on():
    line = started_with("HOST=0.0.0.0", "PORT=9000")
    assert "BITCACHE_SITE_URL=http://0.0.0.0:9000 " in line


def test_a_site_url_already_set_is_kept():
    line = started_with("PORT=8123", BITCACHE_SITE_URL="https://tips.example.org")
    assert "BITCACHE_SITE_URL=https://tips.example.org " in line


def planned(target: str, venv: Path) -> list[str]:
    """What `make <target>` would run in a fresh checkout (an empty .venv elsewhere)."""
    out = subprocess.run(
        [MAKE, "-n", target, f"VENV={venv}"], cwd=REPO, capture_output=True, text=True
    )
    return out.stdout.splitlines()


def test_a_first_make_run_installs_the_runtime_only(tmp_path):
    installs = [line for line in planned("run", tmp_path / "venv") if "pip install" in line]

    assert any(line.endswith("-e .") for line in installs), installs
    assert not any("[dev]" in line for line in installs), installs


def test_make_test_and_make_lint_install_the_dev_tools(tmp_path):
    for target in ("test", "lint"):
        installs = [line for line in planned(target, tmp_path / "venv") if "pip install" in line]
        assert any('".[dev]"' in line for line in installs), (target, installs)
