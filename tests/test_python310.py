"""Python 3.10, which pyproject.toml allows: nothing may need 3.11's standard library."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FALLBACK = """
import sys, types
try:
    import tomllib as parser
except ImportError:  # Python 3.10 itself
    import tomli as parser
# Python 3.10 as far as the skill-set loader can tell: no tomllib, tomli instead.
sys.version_info = (3, 10, 13, "final", 0)
tomli = types.ModuleType("tomli")
tomli.loads, tomli.TOMLDecodeError = parser.loads, parser.TOMLDecodeError
sys.modules["tomli"] = tomli
sys.modules["tomllib"] = None  # importing it now fails, as on 3.10
import models.skillset as s
assert s.tomllib is tomli, s.tomllib
import models.locale, models.scoring, models.sections  # every reader of TOML
assert len(s.load_skillset(None).skills) == 23
print("ok")
"""


def test_skill_sets_load_with_tomli_where_tomllib_is_missing() -> None:
    out = subprocess.run([sys.executable, "-c", FALLBACK], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_pyproject_asks_for_tomli_on_python_310_only() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert """"tomli>=1.1; python_version < '3.11'",""" in text
    assert 'requires-python = ">=3.10"' in text


def python310() -> str | None:
    """Return a Python 3.10 that runs (a pyenv shim may be on PATH without one behind it)."""
    found = shutil.which("python3.10")
    if found and subprocess.run([found, "--version"], capture_output=True).returncode == 0:
        return found
    return None


@pytest.mark.skipif(python310() is None, reason="no working python3.10 on PATH")
def test_the_code_compiles_on_python_310() -> None:
    """Syntax only (no dependencies needed): 3.11-only syntax would fail here."""
    out = subprocess.run([str(python310()), "-m", "compileall", "-q", "models", "worker", "web"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
