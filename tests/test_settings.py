"""One settings module: every default lives in ``worker.settings.DEFAULTS``, and the web
app, the workers and the CLI read the same values from it."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from worker.settings import DEFAULTS, load_settings

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_MODULE = ROOT / "worker" / "settings.py"
KEY = re.compile(r"^[A-Z][A-Z0-9_]+$")


def _key(node: ast.AST) -> str | None:
    """The setting name a ``"KEY"`` string constant holds, or None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and KEY.match(node.value):
        return node.value
    return None


def _read(node: ast.AST) -> str | None:
    """The setting a ``x.get("KEY")`` or ``x["KEY"]`` reads, or None."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
            and node.args:
        return _key(node.args[0])
    if isinstance(node, ast.Subscript):
        return _key(node.slice)
    return None


def second_defaults(source: str) -> list[tuple[int, str]]:
    """(line, name) of each default given to a setting in ``source``, outside the settings module:
    ``x.setdefault("KEY", v)``, ``x.get("KEY", v)``, ``x.get("KEY") or v``,
    ``from_mapping(KEY=v)`` or ``from_mapping({"KEY": v})``, and ``os.environ`` read for one."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            first = _key(node.args[0]) if node.args else None
            if name in ("setdefault", "get") and first and len(node.args) > 1:
                found.append((node.lineno, first))
            elif name == "from_mapping":
                found += [(node.lineno, k.arg) for k in node.keywords if k.arg and KEY.match(k.arg)]
                for arg in node.args:
                    if isinstance(arg, ast.Dict):
                        found += [(node.lineno, k) for k in map(_key, arg.keys) if k]
            elif name in ("get", "getenv") and first and first in DEFAULTS:
                target = ast.unparse(node.func.value)
                if target in ("os.environ", "os"):
                    found.append((node.lineno, first))
        elif isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or) and len(node.values) == 2:
            read, fallback = node.values
            if _read(read) and isinstance(fallback, ast.Constant | ast.Dict | ast.List | ast.BinOp):
                found.append((node.lineno, str(_read(read))))
    return found


def test_no_default_is_defined_outside_the_settings_module() -> None:
    found = []
    for path in sorted([*(ROOT / "web").rglob("*.py"), *(ROOT / "worker").rglob("*.py")]):
        if path == SETTINGS_MODULE:
            continue
        found += [f"{path.relative_to(ROOT)}:{line} {name}"
                  for line, name in second_defaults(path.read_text(encoding="utf-8"))]
    assert found == [], "give settings their defaults in worker/settings.py DEFAULTS only"


@pytest.mark.parametrize("source", [
    'app.config.setdefault("MAX_ROWS", 100_000)',
    'limit = app.config.get("MAX_ROWS", 100)',
    'hops = int(app.config.get("PROXY_HOPS") or 0)',
    'size = settings["CHUNK_SIZE"] or 100',
    'app.config.from_mapping(SECRET_KEY="dev", MAX_WAIT_SECONDS=30)',
    'app.config.from_mapping({"ROWS_PER_PAGE": 25})',
    'url = os.environ.get("CHUNK_SIZE")',
])
def test_the_check_finds_a_second_default(source: str) -> None:
    assert second_defaults(source)


def test_the_check_leaves_plain_reads_alone() -> None:
    assert second_defaults('x = app.config["MAX_ROWS"]\ny = settings.get("WORKER_CONCURRENCY")\n'
                           'z = request.args.get("sort", "row")\nd = {}.setdefault(key, [])') == []


def _parse(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError:
        return text


def test_the_documented_defaults_are_the_settings_defaults() -> None:
    """docs/deployment.md's default column and .env.example's commented defaults say what
    DEFAULTS says (where DEFAULTS gives a value rather than deriving one)."""
    table = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    checked = 0
    for name, default in DEFAULTS.items():
        if default is None:
            continue
        row = re.search(rf"^\| `SKILLGAP_{name}` \| `([^`]*)`", table, re.M)
        assert row, f"docs/deployment.md gives SKILLGAP_{name} no default"
        assert _parse(row.group(1)) == default, f"docs/deployment.md: SKILLGAP_{name}"
        shown = re.search(rf"^# SKILLGAP_{name}=(.*)$", example, re.M)
        if shown:
            assert _parse(shown.group(1)) == default, f".env.example: SKILLGAP_{name}"
        checked += 1
    assert checked >= 20


def test_the_web_app_and_the_workers_read_the_same_settings(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from web import create_app
    from worker.celery_app import settings_of

    for name in ("REDIS_URL", "DATABASE_URL", "SKILLGAP_BROKER_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SKILLGAP_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("SKILLGAP_CHUNK_SIZE", "7")
    monkeypatch.setenv("SKILLGAP_MAX_ROWS", "12")
    monkeypatch.setenv("SKILLGAP_MAX_UPLOAD_MB", "2")
    expected = load_settings()
    assert expected["CHUNK_SIZE"] == 7 and expected["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024
    app = create_app()
    assert {k: app.config[k] for k in DEFAULTS} == expected
    assert settings_of(app.extensions["celery"]) == expected
