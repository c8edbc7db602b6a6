"""For the pure packages (btc, nwc): prove they import no Django and that their tests pass
with no Django settings at all. Imports nothing of Django itself."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Set in the nested run, which must not start another one.
NESTED = "BITCACHE_PURE_TESTS_NESTED"
IN_NESTED_RUN = NESTED in os.environ


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env[NESTED] = "1"
    # bitcoinlib (a cross-check in tests/btc) writes its data directory at import.
    env["BCL_DATA_DIR"] = str(ROOT / "var" / "bitcoinlib")
    return env


def django_modules_loaded_by(*modules: str) -> subprocess.CompletedProcess[str]:
    """Import `modules` in a fresh interpreter; it exits 1 and prints them if any Django,
    DRF or Celery module was loaded."""
    code = (
        f"import sys, {', '.join(modules)}\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'django', 'rest_framework', 'celery'})\n"
        "print(loaded)\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=_env(), capture_output=True, text=True
    )


def run_tests_without_django(
    folder: Path, *, leaving_out: Path
) -> subprocess.CompletedProcess[str]:
    """Run the tests in `folder` (but `leaving_out`) with pytest-django off and no settings;
    --confcutdir keeps tests/conftest.py, which sets Django up, out."""
    return subprocess.run(
        [
            sys.executable, "-m", "pytest", "-q", "-p", "no:django", "-p", "no:cacheprovider",
            "-p", "no:xdist", f"--confcutdir={folder}", str(folder), f"--ignore={leaving_out}",
        ],
        cwd=ROOT, env=_env(), capture_output=True, text=True,
    )  # fmt: skip
