"""All of identity's SQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, any_, delete, exists, func, or_, select, text, true, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_identity.persistence.tables import (
    CuratedGroup,
    GuardianLink,
    LoginAttempt,
    Organisation,
    Position,
    RefreshToken,
    User,
    UserPosition,
)
from edureg_shared.db import set_tenant
from edureg_shared.paging import PageRequest, paginate


async def lookup_login(session: AsyncSession, login: str) -> tuple[uuid.UUID, uuid.UUID] | None:
    row = (
        await session.execute(
            text("SELECT tenant_id, user_id FROM auth_lookup(:login)"), {"login": login}
        )
    ).first()
    return (row.tenant_id, row.user_id) if row else None


@dataclass(frozen=True)
class SignInAccount:
    """One of a person's accounts reachable with one sign-in (see sign_in_accounts)."""

    tenant_id: uuid.UUID
    user_id: uuid.UUID
    kind: str
    active: bool
    organisation: str
    organisation_kind: str
    organisation_status: str

    @property
    def usable(self) -> bool:
        return self.active and self.organisation_status == "active"


async def sign_in_accounts(
    session: AsyncSession, home_tenant: uuid.UUID, home_user: uuid.UUID
) -> list[SignInAccount]:
    """The home account and the accounts signing in through it, in every organisation
    (a SECURITY DEFINER function: ids, kinds, states and organisation names only)."""
    rows = await session.execute(
        text("SELECT * FROM sign_in_accounts(:t, :u)"), {"t": home_tenant, "u": home_user}
    )
    return [SignInAccount(**dict(r._mapping)) for r in rows]


@asynccontextmanager
async def in_tenant(
    session: AsyncSession, tenant_id: uuid.UUID, back: uuid.UUID
) -> AsyncIterator[None]:
    """Work on another organisation's rows inside this transaction (a person's home
    account from one of their other accounts), then return to `back`. Pending changes are
    flushed before each switch, so every row is written under its own tenant; after an
    error the transaction is abandoned and nothing is switched back."""
    await session.flush()
    await set_tenant(session, tenant_id)
    yield
    await session.flush()
    await set_tenant(session, back)


async def set_login(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, login: str
) -> None:
    await session.execute(
        update(User).where(User.tenant_id == tenant_id, User.id == user_id).values(login=login)
    )


async def get_user(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, *, for_update: bool = False
) -> User | None:
    stmt = select(User).where(User.tenant_id == tenant_id, User.id == user_id)
    if for_update:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


@dataclass(frozen=True)
class Grants:
    """What an account holds, as its tokens carry it (see domain.permissions)."""

    positions: tuple[str, ...]
    permissions: frozenset[str]
    organisation_kind: str


async def grants_of(session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID) -> Grants:
    rows = (
        await session.execute(
            select(Position.code, Position.permissions)
            .join(
                UserPosition,
                and_(
                    UserPosition.tenant_id == Position.tenant_id,
                    UserPosition.position_id == Position.id,
                ),
            )
            .where(UserPosition.tenant_id == tenant_id, UserPosition.user_id == user_id)
            .order_by(Position.code)
        )
    ).all()
    org_kind = await session.scalar(select(Organisation.kind).where(Organisation.id == tenant_id))
    return Grants(
        positions=tuple(r.code for r in rows),
        permissions=frozenset(p for r in rows for p in r.permissions),
        organisation_kind=org_kind or "school",
    )


async def permissions_of(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID
) -> set[str]:
    rows = await session.scalars(
        select(func.unnest(Position.permissions))
        .join(
            UserPosition,
            and_(
                UserPosition.tenant_id == Position.tenant_id,
                UserPosition.position_id == Position.id,
            ),
        )
        .where(UserPosition.tenant_id == tenant_id, UserPosition.user_id == user_id)
    )
    return set(rows.all())


async def get_organisation(session: AsyncSession, org_id: uuid.UUID) -> Organisation | None:
    return await session.get(Organisation, org_id)


async def all_organisations(session: AsyncSession) -> list[Organisation]:
    return list((await session.scalars(select(Organisation).order_by(Organisation.code))).all())


async def organisation_by_code(session: AsyncSession, code: str) -> Organisation | None:
    return await session.scalar(select(Organisation).where(Organisation.code == code))


async def list_users(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    kind: str | None,
    person_id: uuid.UUID | None,
    active: bool | None,
    limit: int,
    offset: int,
    curator_id: uuid.UUID | None = None,
) -> tuple[int, Sequence[User]]:
    """Accounts of the organisation; with `curator_id`, only the students of the groups
    that staff member curates and the guardians of those students."""
    conds = [User.tenant_id == tenant_id]
    if curator_id is not None:
        conds.append(_in_groups_of(tenant_id, curator_id))
    if kind:
        conds.append(User.kind == kind)
    if person_id:
        conds.append(User.person_id == person_id)
    if active is not None:
        conds.append(User.active == active)
    total = await session.scalar(select(func.count()).select_from(User).where(*conds)) or 0
    users = await session.scalars(
        select(User)
        .where(*conds)
        .order_by(User.surname, User.name, User.id)
        .limit(limit)
        .offset(offset)
    )
    return int(total), users.all()


async def children_of(
    session: AsyncSession, tenant_id: uuid.UUID, guardian_id: uuid.UUID
) -> Sequence[User]:
    rows = await session.scalars(
        select(User)
        .join(
            GuardianLink,
            and_(GuardianLink.tenant_id == User.tenant_id, GuardianLink.student_user_id == User.id),
        )
        .where(
            GuardianLink.tenant_id == tenant_id,
            GuardianLink.guardian_user_id == guardian_id,
            GuardianLink.active.is_(True),
        )
        .order_by(User.surname, User.name)
    )
    return rows.all()


_INSERT_PEOPLE = text("""
    INSERT INTO users (tenant_id, id, kind, person_id, surname, name, patronymic, login,
                       must_change_password, match_key, group_id)
    SELECT :tenant_id, p.id, p.kind, p.person_id, p.surname, p.name, p.patronymic,
           p.stem || nextval('login_seq'), true, p.match_key, p.group_id
    FROM unnest(CAST(:ids AS uuid[]), CAST(:kinds AS text[]), CAST(:person_ids AS uuid[]),
                CAST(:surnames AS text[]), CAST(:names AS text[]), CAST(:patronymics AS text[]),
                CAST(:stems AS text[]), CAST(:match_keys AS text[]), CAST(:group_ids AS uuid[]))
         AS p(id, kind, person_id, surname, name, patronymic, stem, match_key, group_id)
    ON CONFLICT (tenant_id, person_id, kind) WHERE person_id IS NOT NULL DO NOTHING
    RETURNING id, person_id, kind
""")


async def insert_people(
    session: AsyncSession, tenant_id: uuid.UUID, rows: list[dict[str, Any]]
) -> list[Any]:
    """Create accounts for people not yet known (by tenant, person, kind); logins come from
    the sequence, so they are unique by construction. One statement whatever the number of
    rows (arrays, not a VALUES list). Returns (id, person_id, kind) of those created now."""
    result = await session.execute(
        _INSERT_PEOPLE,
        {
            "tenant_id": tenant_id,
            "ids": [r["id"] for r in rows],
            "kinds": [r["kind"] for r in rows],
            "person_ids": [r["person_id"] for r in rows],
            "surnames": [r["surname"] for r in rows],
            "names": [r["name"] for r in rows],
            "patronymics": [r["patronymic"] for r in rows],
            "stems": [r["login_stem"] for r in rows],
            "match_keys": [r.get("match_key") for r in rows],
            "group_ids": [r.get("group_id") for r in rows],
        },
    )
    return list(result.all())


@dataclass(frozen=True)
class KnownGuardian:
    tenant_id: uuid.UUID
    user_id: uuid.UUID
    login: str
    activated: bool


async def guardian_by_match_key(
    session: AsyncSession, key: str, except_tenant: uuid.UUID, surname: str, name: str
) -> KnownGuardian | None:
    """The person's home guardian account in another organisation, with the same keyed
    СНИЛС and the same surname and name (SECURITY DEFINER: ids, login and whether it is
    in use — nothing else crosses organisations, the names are compared inside)."""
    row = (
        await session.execute(
            text("SELECT * FROM guardian_by_match_key(:k, :t, :s, :n)"),
            {"k": key, "t": except_tenant, "s": surname, "n": name},
        )
    ).first()
    return KnownGuardian(**dict(row._mapping)) if row else None


@dataclass(frozen=True)
class TransferSource:
    """A transferred student's account in the organisation they left, and its home."""

    tenant_id: uuid.UUID
    user_id: uuid.UUID
    login: str
    activated: bool
    source_active: bool
    surname: str
    name: str


async def sign_in_of(
    session: AsyncSession, tenant_id: uuid.UUID, person_id: uuid.UUID, *, back: uuid.UUID
) -> TransferSource | None:
    """The account a student of another organisation signs in through (theirs, or its
    home if it was joined), read in that organisation's rows within this transaction."""
    async with in_tenant(session, tenant_id, back=back):
        user = await session.scalar(
            select(User).where(
                User.tenant_id == tenant_id, User.kind == "student", User.person_id == person_id
            )
        )
        if user is None:
            return None
        source_active, surname, name = user.active, user.surname, user.name
        if user.home_user_id is not None:
            assert user.home_tenant_id is not None
            home_tenant, home_id = user.home_tenant_id, user.home_user_id
        else:
            home_tenant, home_id = user.tenant_id, user.id
    async with in_tenant(session, home_tenant, back=back):
        home = await get_user(session, home_tenant, home_id)
        if home is None:
            return None
        return TransferSource(
            tenant_id=home.tenant_id,
            user_id=home.id,
            login=home.login,
            activated=home.password_hash is not None and not home.must_change_password,
            source_active=source_active,
            surname=surname,
            name=name,
        )


async def join_to_home(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    home: KnownGuardian | TransferSource,
) -> None:
    """A newly created account signs in through the person's home account."""
    await session.execute(
        update(User)
        .where(User.tenant_id == tenant_id, User.id == user_id)
        .values(
            login=home.login,
            password_hash=None,
            must_change_password=False,
            home_tenant_id=home.tenant_id,
            home_user_id=home.user_id,
        )
    )


async def users_by_person(
    session: AsyncSession, tenant_id: uuid.UUID, person_ids: list[uuid.UUID]
) -> list[Any]:
    return list(
        (
            await session.execute(
                select(User.id, User.person_id, User.kind, User.active).where(
                    User.tenant_id == tenant_id, User.person_id.in_(person_ids)
                )
            )
        ).all()
    )


async def reactivate(
    session: AsyncSession, tenant_id: uuid.UUID, user_ids: list[uuid.UUID]
) -> None:
    await session.execute(
        update(User)
        .where(User.tenant_id == tenant_id, User.id.in_(user_ids), User.active.is_(False))
        .values(active=True, disabled_at=None)
    )


async def link_guardians(
    session: AsyncSession, tenant_id: uuid.UUID, links: list[tuple[uuid.UUID, uuid.UUID]]
) -> None:
    """(guardian user, student user) pairs: created, or reactivated if they had ended.
    One statement of two arrays whatever the number of pairs (a VALUES list would be
    compiled anew for every batch size)."""
    if not links:
        return
    await session.execute(
        _LINK_GUARDIANS,
        {
            "tenant_id": tenant_id,
            "guardians": [g for g, _ in links],
            "students": [s for _, s in links],
        },
    )


_LINK_GUARDIANS = text("""
    INSERT INTO guardian_links (tenant_id, guardian_user_id, student_user_id)
    SELECT :tenant_id, l.guardian, l.student
    FROM unnest(CAST(:guardians AS uuid[]), CAST(:students AS uuid[])) AS l(guardian, student)
    ON CONFLICT (tenant_id, guardian_user_id, student_user_id)
    DO UPDATE SET active = true, ended_at = NULL
""")


async def disable_student(
    session: AsyncSession, tenant_id: uuid.UUID, person_id: uuid.UUID, now: datetime
) -> uuid.UUID | None:
    return await session.scalar(
        update(User)
        .where(User.tenant_id == tenant_id, User.kind == "student", User.person_id == person_id)
        .values(active=False, disabled_at=now)
        .returning(User.id)
    )


async def end_links_of_child(
    session: AsyncSession, tenant_id: uuid.UUID, student_user_id: uuid.UUID, now: datetime
) -> list[uuid.UUID]:
    rows = await session.scalars(
        update(GuardianLink)
        .where(
            GuardianLink.tenant_id == tenant_id,
            GuardianLink.student_user_id == student_user_id,
            GuardianLink.active.is_(True),
        )
        .values(active=False, ended_at=now)
        .returning(GuardianLink.guardian_user_id)
    )
    return list(rows.all())


async def disable_guardians_without_children(
    session: AsyncSession, tenant_id: uuid.UUID, guardian_ids: list[uuid.UUID], now: datetime
) -> list[Any]:
    if not guardian_ids:
        return []
    other_child = exists().where(
        GuardianLink.tenant_id == User.tenant_id,
        GuardianLink.guardian_user_id == User.id,
        GuardianLink.active.is_(True),
    )
    rows = await session.execute(
        update(User)
        .where(
            User.tenant_id == tenant_id,
            User.id.in_(guardian_ids),
            User.active.is_(True),
            ~other_child,
        )
        .values(active=False, disabled_at=now)
        .returning(User.id, User.person_id)
    )
    return list(rows.all())


async def ensure_default_positions(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    defaults: dict[str, tuple[str, list[str], str]],
) -> dict[str, uuid.UUID]:
    """Create or bring in step the organisation's built-in positions ({code: (title,
    permissions, account_kind)}); the organisation's own positions are left alone. A
    built-in title an own position already took gets a mark instead of failing."""
    taken = {
        t.lower()
        for t in (
            await session.scalars(
                select(Position.title).where(
                    Position.tenant_id == tenant_id, Position.builtin.is_(False)
                )
            )
        ).all()
    }
    for code, (title, permissions, account_kind) in defaults.items():
        shown = f"{title} (по регламенту)" if title.lower() in taken else title
        values = {"title": shown, "permissions": permissions, "account_kind": account_kind}
        stmt = insert(Position).values(
            tenant_id=tenant_id, id=uuid.uuid4(), code=code, builtin=True, **values
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["tenant_id", "code"],
            set_={**values, "builtin": True},
            # Only a row that differs is rewritten: a restart changes nothing.
            where=or_(
                Position.title != shown,
                Position.permissions != permissions,
                Position.account_kind != account_kind,
                Position.builtin.is_(False),
            ),
        )
        await session.execute(stmt)
    rows = await session.execute(
        select(Position.code, Position.id).where(
            Position.tenant_id == tenant_id, Position.code.in_(list(defaults))
        )
    )
    return {r.code: r.id for r in rows}


async def list_positions(session: AsyncSession, tenant_id: uuid.UUID) -> list[tuple[Position, int]]:
    """Every position of the organisation with how many active accounts hold it."""
    holders = (
        select(func.count())
        .select_from(UserPosition)
        .join(
            User,
            and_(User.tenant_id == UserPosition.tenant_id, User.id == UserPosition.user_id),
        )
        .where(
            UserPosition.tenant_id == Position.tenant_id,
            UserPosition.position_id == Position.id,
            User.active.is_(True),
        )
        .scalar_subquery()
    )
    rows = await session.execute(
        select(Position, holders)
        .where(Position.tenant_id == tenant_id)
        .order_by(Position.builtin.desc(), Position.account_kind != "staff", Position.title)
    )
    return [(r[0], r[1]) for r in rows.all()]


async def get_position(
    session: AsyncSession, tenant_id: uuid.UUID, position_id: uuid.UUID, *, for_update: bool = False
) -> Position | None:
    stmt = select(Position).where(Position.tenant_id == tenant_id, Position.id == position_id)
    if for_update:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


async def positions_by_ids(
    session: AsyncSession, tenant_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> list[Position]:
    if not ids:
        return []
    rows = await session.scalars(
        select(Position).where(Position.tenant_id == tenant_id, Position.id.in_(list(ids)))
    )
    return list(rows.all())


async def position_title_taken(
    session: AsyncSession, tenant_id: uuid.UUID, title: str, *, but: uuid.UUID | None = None
) -> bool:
    stmt = select(Position.id).where(
        Position.tenant_id == tenant_id, func.lower(Position.title) == title.lower()
    )
    if but is not None:
        stmt = stmt.where(Position.id != but)
    return await session.scalar(stmt) is not None


async def positions_of_user(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID
) -> list[Position]:
    rows = await session.scalars(
        select(Position)
        .join(
            UserPosition,
            and_(
                UserPosition.tenant_id == Position.tenant_id,
                UserPosition.position_id == Position.id,
            ),
        )
        .where(UserPosition.tenant_id == tenant_id, UserPosition.user_id == user_id)
        .order_by(Position.title)
    )
    return list(rows.all())


async def holders(
    session: AsyncSession, tenant_id: uuid.UUID, position_id: uuid.UUID
) -> list[tuple[uuid.UUID, str]]:
    """(id, kind) of every account holding the position."""
    rows = await session.execute(
        select(User.id, User.kind)
        .join(
            UserPosition,
            and_(UserPosition.tenant_id == User.tenant_id, UserPosition.user_id == User.id),
        )
        .where(UserPosition.tenant_id == tenant_id, UserPosition.position_id == position_id)
    )
    return [(r[0], r[1]) for r in rows.all()]


async def holders_count(session: AsyncSession, tenant_id: uuid.UUID, position_id: uuid.UUID) -> int:
    """Every account holding the position, active or not (a disabled one may come back)."""
    return (
        await session.scalar(
            select(func.count())
            .select_from(UserPosition)
            .where(UserPosition.tenant_id == tenant_id, UserPosition.position_id == position_id)
        )
    ) or 0


async def set_user_positions(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    position_ids: Sequence[uuid.UUID],
) -> None:
    await session.execute(
        delete(UserPosition).where(
            UserPosition.tenant_id == tenant_id,
            UserPosition.user_id == user_id,
            UserPosition.position_id.not_in(list(position_ids)) if position_ids else true(),
        )
    )
    for position_id in position_ids:
        await assign_position(session, tenant_id, user_id, position_id)


def _holding(stmt: Any) -> Any:
    """`stmt` over users, joined to the positions each holds."""
    return stmt.join(
        UserPosition,
        and_(UserPosition.tenant_id == User.tenant_id, UserPosition.user_id == User.id),
    ).join(
        Position,
        and_(Position.tenant_id == UserPosition.tenant_id, Position.id == UserPosition.position_id),
    )


async def count_holding(session: AsyncSession, tenant_id: uuid.UUID, permission: str) -> int:
    """Active staff accounts holding `permission` through any position (as the current
    transaction sees them, so a change being made counts)."""
    return (
        await session.scalar(
            _holding(select(func.count(func.distinct(User.id))).select_from(User)).where(
                User.tenant_id == tenant_id,
                User.kind == "staff",
                User.active.is_(True),
                any_(Position.permissions) == permission,
            )
        )
    ) or 0


async def delete_position(session: AsyncSession, position: Position) -> None:
    await session.delete(position)


async def assign_position(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, position_id: uuid.UUID
) -> None:
    await session.execute(
        insert(UserPosition)
        .values(tenant_id=tenant_id, user_id=user_id, position_id=position_id)
        .on_conflict_do_nothing()
    )


def _curated_by(tenant_id: uuid.UUID, curator_id: uuid.UUID) -> Any:
    return select(CuratedGroup.group_id).where(
        CuratedGroup.tenant_id == tenant_id, CuratedGroup.curator_user_id == curator_id
    )


def _in_groups_of(tenant_id: uuid.UUID, curator_id: uuid.UUID) -> Any:
    """A student of a group `curator_id` curates, or a guardian of such a student (by an
    active link)."""
    groups = _curated_by(tenant_id, curator_id)
    child = (
        select(GuardianLink.guardian_user_id)
        .join(
            User,
            and_(User.tenant_id == GuardianLink.tenant_id, User.id == GuardianLink.student_user_id),
        )
        .where(
            GuardianLink.tenant_id == tenant_id,
            GuardianLink.active.is_(True),
            User.group_id.in_(groups),
        )
    )
    return or_(
        and_(User.kind == "student", User.group_id.in_(groups)),
        and_(User.kind == "guardian", User.id.in_(child)),
    )


async def in_groups_of(
    session: AsyncSession, tenant_id: uuid.UUID, curator_id: uuid.UUID, user_id: uuid.UUID
) -> bool:
    found = await session.scalar(
        select(User.id).where(
            User.tenant_id == tenant_id, User.id == user_id, _in_groups_of(tenant_id, curator_id)
        )
    )
    return found is not None


async def set_curators(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    curators: dict[uuid.UUID, tuple[uuid.UUID | None, datetime]],
) -> None:
    """group id → (its curator's account or None, when that was decided); a change older
    than the one already recorded is ignored."""
    if not curators:
        return
    stmt = insert(CuratedGroup).values(
        [
            {"tenant_id": tenant_id, "group_id": g, "curator_user_id": c, "changed_at": at}
            for g, (c, at) in sorted(curators.items())
        ]
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["tenant_id", "group_id"],
            set_={
                "curator_user_id": stmt.excluded.curator_user_id,
                "changed_at": stmt.excluded.changed_at,
            },
            where=CuratedGroup.changed_at < stmt.excluded.changed_at,
        )
    )


async def set_group_names(
    session: AsyncSession, tenant_id: uuid.UUID, names: dict[uuid.UUID, str]
) -> None:
    for group_id, name in sorted(names.items()):
        await session.execute(
            update(CuratedGroup)
            .where(CuratedGroup.tenant_id == tenant_id, CuratedGroup.group_id == group_id)
            .values(name=name)
        )


async def curated_group(
    session: AsyncSession, tenant_id: uuid.UUID, group_id: uuid.UUID
) -> CuratedGroup | None:
    return await session.scalar(
        select(CuratedGroup).where(
            CuratedGroup.tenant_id == tenant_id, CuratedGroup.group_id == group_id
        )
    )


def _not_activated() -> Any:
    """Never signed in with a password of their own: no password yet, or a one-time one
    (an account signing in through a home account has neither, and is not counted)."""
    return and_(
        User.home_user_id.is_(None),
        or_(User.password_hash.is_(None), User.must_change_password.is_(True)),
    )


async def group_accounts_to_activate(
    session: AsyncSession, tenant_id: uuid.UUID, group_id: uuid.UUID, *, for_update: bool
) -> list[tuple[User, list[str]]]:
    """The group's active students and their active guardians who have not activated
    their accounts, each guardian with the names of their children in this group."""
    students = list(
        (
            await session.scalars(
                select(User)
                .where(
                    User.tenant_id == tenant_id,
                    User.kind == "student",
                    User.group_id == group_id,
                    User.active.is_(True),
                )
                .order_by(User.surname, User.name, User.id)
            )
        ).all()
    )
    by_id = {s.id: s for s in students}
    links = (
        await session.execute(
            select(GuardianLink.guardian_user_id, GuardianLink.student_user_id).where(
                GuardianLink.tenant_id == tenant_id,
                GuardianLink.active.is_(True),
                GuardianLink.student_user_id.in_(list(by_id) or [uuid.uuid4()]),
            )
        )
    ).all()
    children: dict[uuid.UUID, list[str]] = {}
    for guardian_id, student_id in links:
        children.setdefault(guardian_id, []).append(by_id[student_id].full_name)
    stmt = (
        select(User)
        .where(
            User.tenant_id == tenant_id,
            User.active.is_(True),
            _not_activated(),
            or_(
                User.id.in_([s.id for s in students] or [uuid.uuid4()]),
                User.id.in_(list(children) or [uuid.uuid4()]),
            ),
        )
        .order_by(User.kind.desc(), User.surname, User.name, User.id)
    )
    if for_update:
        stmt = stmt.with_for_update()
    found = {u.id: u for u in (await session.scalars(stmt)).all()}
    # Family by family, as a curator hands them out: each child, then their guardians.
    ordered: list[tuple[User, list[str]]] = []
    for student in students:
        if student.id in found:
            ordered.append((found.pop(student.id), []))
        for guardian_id, student_id in sorted(links, key=lambda link: str(link[0])):
            if student_id == student.id and guardian_id in found:
                g = found.pop(guardian_id)
                ordered.append((g, sorted(children[g.id])))
    return ordered


async def staff_to_activate(session: AsyncSession, tenant_id: uuid.UUID) -> list[User]:
    return list(
        (
            await session.scalars(
                select(User)
                .where(
                    User.tenant_id == tenant_id,
                    User.kind == "staff",
                    User.active.is_(True),
                    _not_activated(),
                )
                .order_by(User.surname, User.name, User.id)
                .with_for_update()
            )
        ).all()
    )


async def overdue_activation(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    created_before: datetime,
    curator_id: uuid.UUID | None,
    page: PageRequest,
) -> tuple[list[User], int]:
    """Students and guardians not activated and created before `created_before`; with
    `curator_id`, only those of that staff member's groups."""
    conds = [
        User.tenant_id == tenant_id,
        User.kind.in_(["student", "guardian"]),
        User.active.is_(True),
        _not_activated(),
        User.created_at < created_before,
    ]
    if curator_id is not None:
        conds.append(_in_groups_of(tenant_id, curator_id))
    return await paginate(
        session,
        select(User).where(*conds).order_by(User.created_at, User.surname, User.id),
        page,
    )


async def set_student_groups(
    session: AsyncSession, tenant_id: uuid.UUID, groups: dict[uuid.UUID, uuid.UUID]
) -> set[uuid.UUID]:
    """Student person id → the group they are in now. Returns the person ids whose
    accounts exist (and were updated)."""
    if not groups:
        return set()
    result = await session.execute(
        text("""
            UPDATE users SET group_id = g.group_id
            FROM unnest(CAST(:person_ids AS uuid[]), CAST(:group_ids AS uuid[]))
                 AS g(person_id, group_id)
            WHERE users.tenant_id = :tenant_id AND users.kind = 'student'
              AND users.person_id = g.person_id
            RETURNING users.person_id
        """),
        {
            "tenant_id": tenant_id,
            "person_ids": list(groups),
            "group_ids": list(groups.values()),
        },
    )
    return {row[0] for row in result.all()}


async def record_login_attempt(
    session: AsyncSession,
    *,
    login: str,
    address: str | None,
    user_agent: str | None,
    tenant_id: uuid.UUID | None,
    user_id: uuid.UUID | None,
    outcome: str,
) -> None:
    await session.execute(
        text(
            "SELECT public.record_login_attempt(:login, CAST(:address AS inet), :ua, "
            "CAST(:tenant AS uuid), CAST(:user AS uuid), :outcome)"
        ),
        {
            "login": login,
            "address": address,
            "ua": user_agent,
            "tenant": tenant_id,
            "user": user_id,
            "outcome": outcome,
        },
    )


# Entries of the sign-in log that are not failed attempts.
NOT_FAILURES = ("ok", "ok_elsewhere", "choose_organisation", "password_changed")


async def my_sign_ins(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, limit: int
) -> list[LoginAttempt]:
    """The account's own latest entries of the sign-in log (under RLS: its organisation)."""
    return list(
        (
            await session.scalars(
                select(LoginAttempt)
                .where(LoginAttempt.tenant_id == tenant_id, LoginAttempt.user_id == user_id)
                .order_by(LoginAttempt.at.desc(), LoginAttempt.id.desc())
                .limit(limit)
            )
        ).all()
    )


async def login_failures_from(session: AsyncSession, address: str, since: datetime) -> int:
    return int(
        await session.scalar(
            text("SELECT public.login_failures_from(CAST(:address AS inet), :since)"),
            {"address": address, "since": since},
        )
        or 0
    )


async def login_failures_of(
    session: AsyncSession, user_id: uuid.UUID, address: str | None, since: datetime
) -> tuple[int, datetime | None]:
    row = (
        await session.execute(
            text(
                "SELECT failures, last_at FROM public.login_failures_of("
                "CAST(:user AS uuid), CAST(:address AS inet), :since)"
            ),
            {"user": user_id, "address": address, "since": since},
        )
    ).one()
    return int(row.failures), row.last_at


async def list_organisations(
    session: AsyncSession, page: PageRequest
) -> tuple[list[Organisation], int]:
    return await paginate(
        session,
        select(Organisation)
        .where(Organisation.kind != "ministry")
        .order_by(Organisation.name, Organisation.id),
        page,
    )


async def administrators(
    session: AsyncSession, tenant_id: uuid.UUID, permission: str
) -> list[User]:
    """Staff accounts holding `permission` through any of their positions."""
    rows = await session.scalars(
        _holding(select(User))
        .where(
            User.tenant_id == tenant_id,
            User.kind == "staff",
            any_(Position.permissions) == permission,
        )
        .distinct()
        .order_by(User.surname, User.name, User.id)
    )
    return list(rows.all())


async def add_refresh_token(session: AsyncSession, token: RefreshToken) -> None:
    session.add(token)
    await session.flush()


async def refresh_token_by_hash(
    session: AsyncSession, tenant_id: uuid.UUID, token_hash: str
) -> RefreshToken | None:
    return await session.scalar(
        select(RefreshToken)
        .where(RefreshToken.tenant_id == tenant_id, RefreshToken.token_hash == token_hash)
        .with_for_update()
    )


async def revoke_family(
    session: AsyncSession, tenant_id: uuid.UUID, family_id: uuid.UUID, now: datetime
) -> None:
    await session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.tenant_id == tenant_id,
            RefreshToken.family_id == family_id,
            RefreshToken.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )


async def revoke_refresh_tokens_of(
    session: AsyncSession, tenant_id: uuid.UUID, user_ids: list[uuid.UUID], now: datetime
) -> None:
    if not user_ids:
        return
    await session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.tenant_id == tenant_id,
            RefreshToken.user_id.in_(user_ids),
            RefreshToken.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )


async def next_login_number(session: AsyncSession) -> int:
    return int(await session.scalar(text("SELECT nextval('login_seq')")) or 0)


async def organisation_for_update(session: AsyncSession, org_id: uuid.UUID) -> Organisation | None:
    return await session.scalar(
        select(Organisation).where(Organisation.id == org_id).with_for_update()
    )


async def revoke_all_refresh_tokens(
    session: AsyncSession, tenant_id: uuid.UUID, now: datetime
) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.tenant_id == tenant_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def activity(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    since: datetime,
    until: datetime,
    kind: str | None,
    page: PageRequest,
) -> tuple[list[Any], int]:
    """Each account of the organisation with its sign-ins in [since, until): successful,
    failed, the last successful one and its address. Accounts with none are listed too
    (who never signs in is what the report is for)."""
    a = LoginAttempt
    window = and_(a.user_id == User.id, a.at >= since, a.at < until)
    ok = (
        select(func.count())
        .where(window, a.tenant_id == tenant_id, a.outcome == "ok")
        .correlate(User)
        .scalar_subquery()
    )
    failed = (
        select(func.count())
        .where(window, a.tenant_id == tenant_id, a.outcome.not_in(NOT_FAILURES))
        .correlate(User)
        .scalar_subquery()
    )
    last = (
        select(a.at, a.address)
        .where(window, a.tenant_id == tenant_id, a.outcome == "ok")
        .order_by(a.at.desc())
        .limit(1)
        .correlate(User)
        .lateral()
    )
    conds = [User.tenant_id == tenant_id]
    if kind:
        conds.append(User.kind == kind)
    total = await session.scalar(select(func.count()).select_from(User).where(*conds)) or 0
    rows = await session.execute(
        select(User, ok, failed, last.c.at, last.c.address)
        .outerjoin(last, true())
        .where(*conds)
        .order_by(User.kind, User.surname, User.name, User.id)
        .limit(page.limit)
        .offset(page.offset)
    )
    return [tuple(r) for r in rows.all()], int(total)


async def region_account_statistics(
    session: AsyncSession, tenants: Sequence[uuid.UUID], since: datetime
) -> dict[uuid.UUID, dict[str, dict[str, int]]]:
    if not tenants:
        return {}
    rows = await session.execute(
        text(
            "SELECT tenant_id, kind, accounts, active, activated, signed_in "
            "FROM public.region_account_statistics(CAST(:tenants AS uuid[]), :since)"
        ),
        {"tenants": list(tenants), "since": since},
    )
    out: dict[uuid.UUID, dict[str, dict[str, int]]] = {}
    for r in rows:
        out.setdefault(r.tenant_id, {})[r.kind] = {
            "accounts": r.accounts,
            "active": r.active,
            "activated": r.activated,
            "signed_in": r.signed_in,
        }
    return out


async def positions_by_code(
    session: AsyncSession, tenant_id: uuid.UUID, codes: list[str]
) -> dict[str, uuid.UUID]:
    rows = await session.execute(
        select(Position.code, Position.id).where(
            Position.tenant_id == tenant_id, Position.code.in_(codes)
        )
    )
    return {str(code): pid for code, pid in rows.all()}


async def disable_staff_person(
    session: AsyncSession, tenant_id: uuid.UUID, person_id: uuid.UUID, now: datetime
) -> uuid.UUID | None:
    return await session.scalar(
        update(User)
        .where(User.tenant_id == tenant_id, User.kind == "staff", User.person_id == person_id)
        .values(active=False, disabled_at=now)
        .returning(User.id)
    )


async def reset_for_rehire(
    session: AsyncSession, tenant_id: uuid.UUID, user_ids: list[uuid.UUID], *, keep: list[str]
) -> None:
    """Accounts of people taken on again: every position but `keep` removed, the password
    cleared (a new credential slip activates the account)."""
    keep_ids = select(Position.id).where(Position.tenant_id == tenant_id, Position.code.in_(keep))
    await session.execute(
        delete(UserPosition).where(
            UserPosition.tenant_id == tenant_id,
            UserPosition.user_id.in_(user_ids),
            UserPosition.position_id.not_in(keep_ids),
        )
    )
    await session.execute(
        update(User)
        .where(User.tenant_id == tenant_id, User.id.in_(user_ids))
        .values(password_hash=None, must_change_password=True)
    )
