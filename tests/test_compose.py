"""docker-compose.yml, the Dockerfile and .env.example agree with the app's settings.

No container engine runs here, so this checks what can be checked without one.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from flask import Flask

from tests.test_docs import settings_read_by_the_code
from web.cli import main
from worker.settings import DEFAULTS

ROOT = Path(__file__).resolve().parent.parent
PLAIN_NAMES = {"REDIS_URL", "DATABASE_URL", "POSTGRES_PASSWORD"}
# The web app reads every SKILLGAP_<KEY> into Flask's config: its own keys (found in
# the code) and Flask's.
FLASK_KEYS = settings_read_by_the_code() | set(Flask.default_config)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def known(name: str) -> bool:
    if name in PLAIN_NAMES:
        return True
    return name.startswith("SKILLGAP_") and name[len("SKILLGAP_"):] in set(DEFAULTS) | FLASK_KEYS


def resolve_command(argv: list[str]) -> click.Command:
    """Follow a `skillgap ...` command line through the click group, checking options."""
    assert argv[0] == "skillgap"
    cmd: click.Command = main
    args = argv[1:]
    while isinstance(cmd, click.Group) and args and not args[0].startswith("-"):
        sub = cmd.get_command(click.Context(cmd), args[0])
        assert sub is not None, f"no command {args[0]!r} in {argv}"
        cmd, args = sub, args[1:]
    opts = {o for p in cmd.params for o in getattr(p, "opts", [])}
    for arg in args:
        if arg.startswith("-"):
            assert arg in opts, f"{argv}: unknown option {arg}"
    return cmd


def test_services_and_health_checks(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"redis", "postgres", "web", "worker", "flower"}
    for name, svc in services.items():
        assert "healthcheck" in svc, f"{name} has no health check"
    assert "--appendonly" in services["redis"]["command"]
    # Scalable: no fixed name or host port on the worker.
    assert "container_name" not in services["worker"] and "ports" not in services["worker"]
    assert services["flower"]["profiles"] == ["monitoring"]
    for name in ("web", "worker"):
        deps = services[name]["depends_on"]
        assert deps["redis"]["condition"] == deps["postgres"]["condition"] == "service_healthy"


def test_commands_exist(compose: dict[str, Any]) -> None:
    services = compose["services"]
    web = services["web"]["command"]
    script = web[-1] if web[0] == "sh" else " ".join(web)
    for part in script.split("&&"):
        argv = shlex.split(part.strip())
        if argv[0] == "exec":
            argv = argv[1:]
        if argv[0] == "skillgap":
            resolve_command(argv)
        else:
            assert argv[0] == "gunicorn"
            module, attr = argv[-1].split(":")
            assert module == "web" and attr == "create_app()"
    resolve_command(services["worker"]["command"])
    assert "worker.app" in services["worker"]["healthcheck"]["test"][-1]
    assert "/healthz" in services["web"]["healthcheck"]["test"][-1]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "web:create_app()" in dockerfile and "skillgap db upgrade" in dockerfile


def test_environment_names_match_settings(compose: dict[str, Any]) -> None:
    app_env = compose["x-app"]["environment"]
    assert set(app_env) <= PLAIN_NAMES
    for name in app_env:
        assert known(name), name
    env_example = (ROOT / ".env.example").read_text()
    names = re.findall(r"^([A-Z][A-Z0-9_]*)=", env_example, flags=re.M)
    assert {"REDIS_URL", "DATABASE_URL", "SKILLGAP_SECRET_KEY"} <= set(names)
    for name in names:
        assert known(name), f".env.example sets {name}, which the app does not read"
    used = set(re.findall(r"\$\{([A-Z_]+)", (ROOT / "docker-compose.yml").read_text()))
    assert used <= set(names) | PLAIN_NAMES


def test_env_example_values_configure_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    from worker.settings import load_settings

    env = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$",
                          (ROOT / ".env.example").read_text(), flags=re.M))
    settings = load_settings(environ=env)
    assert settings["BROKER_URL"] == "redis://redis:6379/0"
    assert settings["DATABASE_URL"].startswith("postgresql+psycopg://skillgap:")
    assert settings["VISIBILITY_TIMEOUT"] > settings["TASK_TIME_LIMIT"]
    assert settings["STALL_TIMEOUT"] > settings["VISIBILITY_TIMEOUT"] + settings["TASK_TIME_LIMIT"]
    assert settings["TASK_TIME_LIMIT"] > settings["TASK_SOFT_TIME_LIMIT"]
