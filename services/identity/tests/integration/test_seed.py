"""The registry seed is idempotent and never resets a password."""

from __future__ import annotations

from sqlalchemy import text

from edureg_devstack.testing.infra import ServiceDatabase
from edureg_identity.config import Settings
from edureg_identity.services.seed import seed
from edureg_shared.db import Database, create_engine

from ..conftest import org


async def test_second_seed_creates_nothing(settings: Settings, db: ServiceDatabase) -> None:
    spec = {
        "organisations": [org("x", ("admin.x", ["admin"]), ("curator.x", ["teacher", "curator"]))]
    }
    database = Database(create_engine(settings.database_url))
    owner = Database(create_engine(db.admin_url))
    try:
        first = await seed(database, spec)
        async with owner.unscoped_session() as s:
            before = (
                await s.execute(text("SELECT login, password_hash FROM users ORDER BY login"))
            ).all()
            positions = await s.scalar(text("SELECT count(*) FROM user_positions"))
        again = await seed(database, spec)
        async with owner.unscoped_session() as s:
            after = (
                await s.execute(text("SELECT login, password_hash FROM users ORDER BY login"))
            ).all()
            assert await s.scalar(text("SELECT count(*) FROM organisations")) == 1
            assert await s.scalar(text("SELECT count(*) FROM user_positions")) == positions == 3
    finally:
        await database.dispose()
        await owner.dispose()
    assert first == again
    assert before == after
