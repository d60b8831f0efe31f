"""Alembic environment: uses the caller's connection, or the URL from the config."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from warroom.storage import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from warroom.storage.engine import make_engine
from warroom.storage.search_index import outside_the_models

config = context.config
target_metadata = SQLModel.metadata


def described(name: str | None, type_: str, _parents: object) -> bool:
    """What autogenerate compares: the models' tables, not the full-text index's own."""
    return not (type_ == "table" and name is not None and outside_the_models(name))


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        include_name=described,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            include_name=described,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as own:
        context.configure(
            connection=own,
            target_metadata=target_metadata,
            render_as_batch=True,
            include_name=described,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
