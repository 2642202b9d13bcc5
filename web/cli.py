"""The ``skillgap`` command.

Imports stay inside the commands, so ``skillgap analyze`` does not load Celery,
Flask or SQLAlchemy.
"""

from __future__ import annotations

import io
import sys
import time
from typing import Any

import click


@click.group()
def main() -> None:
    """Find the skills job postings ask for and their gaps against a modern skill set."""


def _settings() -> dict[str, Any]:
    from worker.settings import load_settings

    return load_settings()


def _worker_argv(concurrency: int | None, loglevel: str, queues: str,
                 pool: str | None = None, name: str | None = None) -> list[str]:
    # -q: no banner (skillgap prints one line of its own).
    argv = ["-q", "worker", "-Q", queues, "-l", loglevel, "--without-gossip", "--without-mingle"]
    if concurrency:
        argv += ["-c", str(concurrency)]
    if pool:
        argv += ["-P", pool]
    if name:
        argv += ["-n", name]
    return argv


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--concurrency", "-c", default=2, show_default=True, type=int,
              help="Worker processes to start beside the web app (0: none).")
@click.option("--interactive-threads", default=0, show_default=True, type=int,
              help="Also start a worker with this many threads that serves only pasted "
                   "postings, so they never wait behind a batch's chunk (one more process "
                   "holding the engine, ~150 MB).")
def serve(host: str, port: int, concurrency: int, interactive_threads: int) -> None:
    """Run the web app and a worker together.

    With no REDIS_URL and no DATABASE_URL this needs no server at all: SQLite and
    a filesystem queue in ./instance.
    """
    import signal

    from werkzeug.serving import make_server

    from web import create_app
    from web.supervisor import Supervisor
    from worker import db
    from worker.settings import embedded

    settings = _settings()
    db.upgrade(settings["DATABASE_URL"])
    commands = []
    celery = [sys.executable, "-m", "celery", "-A", "worker.app"]
    # Each worker in a process group of its own, so that stopping can reach its children.
    if concurrency > 0:
        commands.append([*celery, *_worker_argv(concurrency, "WARNING", "interactive,batch")])
    if interactive_threads > 0:
        commands.append([*celery, *_worker_argv(
            interactive_threads, "WARNING", "interactive", pool="threads", name="interactive@%h")])
    # A worker that exits is started again; the workers stop with serve.
    workers = Supervisor(commands, lambda line: click.echo(line, err=True))
    workers.start()
    # Stop the worker too when told to stop (SIGTERM would otherwise skip the finally).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    mode = ("embedded: SQLite and a file-system queue in " + settings["INSTANCE_PATH"]
            if embedded(settings) else f"database {_redact(settings['DATABASE_URL'])}, Redis")
    processes = f"{concurrency} worker process{'es' if concurrency != 1 else ''}"
    server = make_server(host, port, create_app(), threaded=True)
    click.echo(f"skillgap: http://{host}:{server.port} ({mode}; {processes}). "
               "Ctrl+C stops.", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        workers.stop(float(settings["STOP_TIMEOUT"]))


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@main.command()
@click.option("--concurrency", "-c", type=int, default=None,
              help="Worker processes (default: one per core).")
@click.option("--loglevel", "-l", default="INFO", show_default=True)
@click.option("--queues", "-Q", default="interactive,batch", show_default=True)
@click.option("--pool", "-P", type=click.Choice(["prefork", "threads", "solo"]), default="prefork",
              show_default=True,
              help="threads suits a worker of only the interactive queue (-Q interactive): "
                   "pasted postings wait for no chunk and no process of their own.")
@click.option("--migrate/--no-migrate", default=True, show_default=True,
              help="Bring the database schema up to date first.")
def worker(concurrency: int | None, loglevel: str, queues: str, pool: str, migrate: bool) -> None:
    """Run a worker alone, e.g. on another machine against the same Redis and database."""
    from worker import db
    from worker.celery_app import create_celery

    settings = _settings()
    if migrate:
        db.upgrade(settings["DATABASE_URL"])
    name = "interactive@%h" if queues == "interactive" else None
    concurrency = concurrency or settings["WORKER_CONCURRENCY"]
    processes = f"{concurrency} {pool}" if concurrency else f"one {pool} per core"
    click.echo(f"skillgap worker: queues {queues}, {processes}; broker "
               f"{_redact(settings['BROKER_URL'])}, database {_redact(settings['DATABASE_URL'])}",
               err=True)
    create_celery(settings).worker_main(_worker_argv(concurrency, loglevel, queues, pool, name))


@main.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the tables (safe to run from several machines at once)."""
    from worker import db

    db.upgrade(_settings()["DATABASE_URL"])
    click.echo("database is up to date", err=True)


@main.group()
def batch() -> None:
    """Submit a CSV or JSON-lines file of postings, follow it, export its results."""


@batch.command("submit")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--skillset", "-s", default=None,
              help="A skill set's id, or a .toml or .csv file to store as a new skill set.")
@click.option("--text-column", default=None, help="The column holding the posting text.")
@click.option("--wait/--no-wait", default=True, show_default=True,
              help="Follow the batch to the end with a progress bar.")
def batch_submit(file: str, skillset: str | None, text_column: str | None, wait: bool) -> None:
    """Store FILE's rows as a batch and queue them for the workers; print the batch id."""
    import os

    from models.inputs import InputError
    from models.skillset import SkillSetError
    from worker import db, pipeline, tasks
    from worker.celery_app import create_celery

    settings = _settings()
    db.upgrade(settings["DATABASE_URL"])
    if skillset and (os.sep in skillset or skillset.endswith((".toml", ".csv"))):
        skillset = _upload_skillset(settings["DATABASE_URL"], skillset)
    enqueue = tasks.enqueuer(create_celery(settings))
    with open(file, "rb") as fh, click.progressbar(
        length=os.path.getsize(file), label="storing rows", file=sys.stderr
    ) as bar:
        counted = _CountingReader(fh)
        seen = 0

        def progress(_rows: int) -> None:
            nonlocal seen
            bar.update(counted.count - seen)
            seen = counted.count

        try:
            batch_id = pipeline.submit_file(
                settings["DATABASE_URL"], io.BufferedReader(counted), os.path.basename(file), enqueue,
                skillset=skillset, text_column=text_column,
                chunk_size=int(settings["CHUNK_SIZE"]), progress=progress,
            )
        except (InputError, SkillSetError) as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(batch_id)
    if wait:
        _follow(settings["DATABASE_URL"], batch_id)


def _upload_skillset(url: str, path: str) -> str:
    """Store a skill-set file's contents in the database, so that every worker reads it; return its id."""
    from models.own_skillsets import read_upload
    from models.skillset import SkillSetError
    from worker import skillsets

    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        text, source = read_upload(data, path, None)
        pinned = skillsets.create(url, text, source)
    except SkillSetError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"skill set stored as {pinned.id} (version {pinned.version})", err=True)
    return pinned.ref


class _CountingReader(io.RawIOBase):
    """A raw stream that counts the bytes read, for the progress bar."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = int(self.raw.readinto(buffer) or 0)
        self.count += n
        return n


def _follow(url: str, batch_id: str) -> None:
    from worker.storage import FINISHED

    info = _batch_info(url, batch_id)
    total = info["total"] or 0
    last_change = time.monotonic()
    warned = False
    with click.progressbar(length=total, label="analysing", file=sys.stderr) as bar:
        shown = 0
        while True:
            info = _batch_info(url, batch_id)
            count = info["done"] + info["failed"]
            if count > shown:
                bar.update(count - shown)
                shown = count
                last_change = time.monotonic()
            if info["status"] in FINISHED:
                break
            if not warned and time.monotonic() - last_change > 15:
                click.echo("\nno progress for 15 s: is a worker running "
                           "(skillgap serve or skillgap worker)?", err=True)
                warned = True
            time.sleep(0.5)
    cancelled = f", {info['cancelled']} cancelled" if info["cancelled"] else ""
    click.echo(f"{info['status']}: {info['done']} done, {info['failed']} failed{cancelled} "
               f"of {info['total']}", err=True)


def _batch_info(url: str, batch_id: str) -> dict[str, Any]:
    from worker.batches import get_batch

    batch = get_batch(url, batch_id)
    if batch is None:
        raise click.ClickException(f"no batch {batch_id}")
    return {"id": batch.id, "status": batch.status, "total": batch.total,
            "done": batch.done, "failed": batch.failed, "cancelled": batch.cancelled or 0,
            "filename": batch.filename,
            "skillset": f"{batch.skillset_id} {batch.skillset_version}",
            "error": batch.error}


@batch.command("status")
@click.argument("batch_id")
@click.option("--wait", is_flag=True, help="Follow the batch to the end with a progress bar.")
def batch_status(batch_id: str, wait: bool) -> None:
    """Show a batch's progress."""
    url = _settings()["DATABASE_URL"]
    if wait:
        _follow(url, batch_id)
    for key, value in _batch_info(url, batch_id).items():
        if value is not None:
            click.echo(f"{key}: {value}")


@batch.command("resume")
@click.argument("batch_id")
def batch_resume(batch_id: str) -> None:
    """Queue again the chunks of a batch that still have pending rows.

    For a cancelled batch (its cancelled rows are analysed after all), or one left
    behind when its chunk tasks were lost (a broker wiped without persistence, a
    send that failed after the rows were stored). Chunks are idempotent: rows
    already done are not analysed twice.
    """
    from worker import pipeline, tasks
    from worker.celery_app import create_celery
    from worker.storage import DONE, FAILED

    settings = _settings()
    url = settings["DATABASE_URL"]
    info = _batch_info(url, batch_id)
    if info["status"] in (DONE, FAILED):
        click.echo(f"{batch_id} is {info['status']}: nothing to resume")
        return
    chunks = pipeline.resume(url, batch_id, tasks.enqueuer(create_celery(settings)))
    click.echo(f"{batch_id}: queued {len(chunks)} chunk(s) again")


@batch.command("export")
@click.argument("batch_id")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv",
              show_default=True)
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-",
              help="Write here instead of standard output.")
def batch_export(batch_id: str, fmt: str, output: Any) -> None:
    """Write a batch's results, one row per input row."""
    from worker.export import iter_export
    from worker.results import iter_results

    url = _settings()["DATABASE_URL"]
    _batch_info(url, batch_id)
    for piece in iter_export(iter_results(url, batch_id), fmt):
        output.write(piece)


# The engine's own commands: analyze, skillsets.
from web.analyze_cli import register as _register  # noqa: E402

_register(main)

# A résumé against a posting: skillgap match.
from web.match_cli import match as _match  # noqa: E402

main.add_command(_match)
