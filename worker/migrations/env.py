"""Run migrations against the URL the app uses."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from worker.db import get_engine
from worker.settings import load_settings
from worker.storage import Base

config = context.config
url = config.attributes.get("url") or load_settings()["DATABASE_URL"]

# Several machines may start at once and all try to migrate; on PostgreSQL an
# advisory lock makes them take turns, and the later ones find nothing to do.
LOCK_ID = 7_115_022


def run_migrations_online() -> None:
    engine = get_engine(url, write=True)
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": LOCK_ID})
            connection.commit()
        try:
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=connection.dialect.name == "sqlite",
            )
            with context.begin_transaction():
                context.run_migrations()
        finally:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": LOCK_ID})
                connection.commit()


run_migrations_online()
