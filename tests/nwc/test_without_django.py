"""nwc is pure Python: it imports no Django, and its tests pass with no Django settings at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pure import IN_NESTED_RUN, django_modules_loaded_by, run_tests_without_django


def test_importing_nwc_loads_no_django_module():
    result = django_modules_loaded_by(
        "nwc", "nwc.events", "nwc.encryption", "nwc.nip47", "nwc.nip57", "nwc.relay"
    )

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(IN_NESTED_RUN, reason="this is the nested run")
def test_nwc_tests_pass_without_django_settings():
    here = Path(__file__).resolve()

    result = run_tests_without_django(here.parent, leaving_out=here)

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "passed" in result.stdout
