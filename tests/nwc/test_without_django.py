"""nwc is pure Python: it imports no Django, and its tests pass with no Django settings at all."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
# Set in the nested run, which must not start another one.
NESTED = "BITCACHE_NWC_WITHOUT_DJANGO"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env[NESTED] = "1"
    return env


def test_importing_nwc_loads_no_django_module():
    code = (
        "import sys, nwc, nwc.events, nwc.encryption, nwc.nip47, nwc.nip57\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'django', 'rest_framework', 'celery'})\n"
        "print(loaded)\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=_env(), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(NESTED in os.environ, reason="this is the nested run")
def test_nwc_tests_pass_without_django_settings():
    # --confcutdir keeps tests/conftest.py (which sets up Django) out; -p no:django
    # turns pytest-django off, so no settings are ever configured.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:django",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            f"--confcutdir={HERE}",
            str(HERE),
            f"--ignore={Path(__file__)}",
        ],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "passed" in result.stdout
