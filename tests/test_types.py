"""The code type-checks (mypy, configured in pyproject.toml: models, web and worker)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_mypy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--no-color-output", *args],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )


def test_mypy_finds_nothing() -> None:
    result = run_mypy()
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_reports_a_type_error(tmp_path: Path) -> None:
    """The check can fail: the same configuration finds an error in a file that has one."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f() -> None:\n    x: int = 'text'\n")
    result = run_mypy(str(bad))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "bad.py:2: error" in result.stdout


def test_the_code_is_checked_against_the_oldest_python_it_allows(tmp_path: Path) -> None:
    """requires-python allows 3.10, which CI's machine may not have: mypy checks the code
    against 3.10's standard library, so a 3.11-only import fails the suite."""
    newer = tmp_path / "newer.py"
    newer.write_text("import tomllib\nfrom datetime import UTC\n")
    result = run_mypy(str(newer))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "newer.py:1: error" in result.stdout and "newer.py:2: error" in result.stdout


def test_no_type_ignore_in_the_tests_is_needless() -> None:
    """The tests are not held to the check, but a ``type: ignore`` there must still silence
    something: unused ones get copied from test to test."""
    result = run_mypy("tests")
    unused = [line for line in result.stdout.splitlines() if "[unused-ignore]" in line]
    assert unused == []
