"""Accounts follow the movement book: created on enrolment, disabled on expulsion."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from edureg_identity.contracts.events import (
    ACCOUNT_DISABLED,
    ACCOUNTS_PROVISIONED,
    ACCOUNTS_REQUESTED,
    EMPLOYEE_DISMISSED,
    EMPLOYEE_HIRED,
    GROUP_CREATED,
    GROUP_CURATOR_CHANGED,
    LEAVE_ENDED,
    ORDER_CANCELLED,
    STUDENT_EXPELLED,
    AccountDisabledV1,
    AccountsProvisionedV1,
    ProvisionedAccount,
)
from edureg_identity.contracts.events import (
    STUDENT_TRANSFERRED as STUDENT_MOVED,  # one shape for every move
)
from edureg_identity.domain.logins import login_stem
from edureg_identity.persistence import repository as repo
from edureg_identity.services import changes
from edureg_shared import audit
from edureg_shared.events.consumer import NotYet
from edureg_shared.events.envelope import Envelope
from edureg_shared.events.outbox import add_events


class StudentNotYetProvisioned(NotYet):
    """An expulsion arrived before its enrolment was applied: retried later."""


def _person(kind: str, person_id: uuid.UUID, n: Any) -> dict[str, Any]:
    return {
        "match_key": getattr(n, "match_key", None),
        "id": uuid.uuid4(),
        "kind": kind,
        "person_id": person_id,
        "surname": n.surname,
        "name": n.name,
        "patronymic": n.patronymic,
        "login_stem": login_stem(n.surname),
        "must_change_password": True,
    }


async def on_accounts_requested(*, session: AsyncSession, events: list[Envelope]) -> None:
    """Accounts for every enrolled student and guardian (a guardian already known, e.g.
    of a sibling, is reused), guardian links and each student's current group, all in a
    handful of set-based statements."""
    t = events[0].tenant_id
    parsed = [(e, ACCOUNTS_REQUESTED.parse(e.data)) for e in events]
    # Each student's current group: the last enrolment of the batch wins.
    groups = {d.student_id: d.group_id for _, d in parsed}
    rows: dict[tuple[str, uuid.UUID], dict[str, Any]] = {}
    for _, d in parsed:
        rows.setdefault(
            ("student", d.student_id),
            {**_person("student", d.student_id, d.student), "group_id": groups[d.student_id]},
        )
        for g in d.guardians:
            rows.setdefault(("guardian", g.guardian_id), _person("guardian", g.guardian_id, g))
    created = await repo.insert_people(session, t, list(rows.values()))
    joined = await _join_known_guardians(session, t, created, rows)
    joined |= await _join_transferred_students(
        session,
        t,
        created,
        {d.student_id: d.transferred_from for _, d in parsed if d.transferred_from},
        {pid: r for (kind, pid), r in rows.items() if kind == "student"},
    )
    people = {
        (r.kind, r.person_id): r
        for r in await repo.users_by_person(session, t, list({pid for _, pid in rows}))
    }
    # Re-enrolment of a former student, or a guardian whose other child left before.
    inactive = [people[key].id for key in rows if not people[key].active]
    if inactive:
        await repo.reactivate(session, t, inactive)
    links = {
        (people[("guardian", g.guardian_id)].id, people[("student", d.student_id)].id)
        for _, d in parsed
        for g in d.guardians
    }
    await repo.link_guardians(session, t, sorted(links))
    # New accounts got their group when created; a known student (re-enrolled) moves.
    new_students = {c.person_id for c in created if c.kind == "student"}
    await repo.set_student_groups(
        session, t, {s: g for s, g in groups.items() if s not in new_students}
    )
    cause = {
        key: e
        for e, d in parsed
        for key in [("student", d.student_id), *(("guardian", g.guardian_id) for g in d.guardians)]
    }
    await audit.record_many(
        session,
        tenant_id=t,
        entries=[
            audit.Entry(
                actor=cause[(c.kind, c.person_id)].actor,
                action="provision",
                entity="user",
                entity_id=c.id,
                details={
                    "event_id": str(cause[(c.kind, c.person_id)].id),
                    **({"home_organisation_id": str(joined[c.id])} if c.id in joined else {}),
                },
            )
            for c in created
        ],
    )
    # Every account of each enrolment, the ones known before too (a sibling's guardian):
    # the other services link the child to them from this event. `new`: created or
    # enabled again by it (the Keycloak mirror reads those afresh).
    new_ids = {c.id for c in created} | set(inactive)
    await add_events(
        session,
        [
            ACCOUNTS_PROVISIONED.envelope(
                tenant_id=t,
                actor=e.actor,
                subject_id=d.student_id,
                data=AccountsProvisionedV1(
                    student_id=d.student_id,
                    accounts=[
                        ProvisionedAccount(
                            user_id=u.id, person_id=u.person_id, kind=u.kind, new=u.id in new_ids
                        )
                        for key in [
                            ("student", d.student_id),
                            *(("guardian", g.guardian_id) for g in d.guardians),
                        ]
                        for u in [people[key]]
                    ],
                ),
            )
            for e, d in parsed
        ],
    )


async def _join_known_guardians(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    created: list[Any],
    rows: dict[tuple[str, uuid.UUID], dict[str, Any]],
) -> dict[uuid.UUID, uuid.UUID]:
    """A new guardian account whose person already uses an account in another
    organisation (the same keyed СНИЛС) signs in through that one: one login for a parent
    of children in two organisations. Only an account already in use is joined — one
    never signed in to would leave the parent with no slip from either side — and only
    the first such account in the region is anyone's home."""
    joined: dict[uuid.UUID, uuid.UUID] = {}
    for c in created:
        row = rows[(c.kind, c.person_id)]
        key = row.get("match_key")
        if c.kind != "guardian" or not key:
            continue
        home = await repo.guardian_by_match_key(
            session, key, tenant_id, row["surname"], row["name"]
        )
        if home is not None and home.activated:
            await repo.join_to_home(session, tenant_id, c.id, home)
            joined[c.id] = home.tenant_id
    return joined


async def _join_transferred_students(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    created: list[Any],
    came_from: dict[uuid.UUID, Any],
    rows_by_person: dict[uuid.UUID, dict[str, Any]],
) -> dict[uuid.UUID, uuid.UUID]:
    """A student transferred here from another organisation of the region keeps their
    sign-in: the new account signs in through the account there (its home, if that one
    was itself joined) — the same login, the organisation chosen at sign-in. Only an
    account already in use is joined; one never signed in to gets a login and slip here."""
    joined: dict[uuid.UUID, uuid.UUID] = {}
    for c in created:
        source = came_from.get(c.person_id) if c.kind == "student" else None
        if source is None:
            continue
        home = await repo.sign_in_of(
            session, source.organisation_id, source.student_id, back=tenant_id
        )
        row = rows_by_person.get(c.person_id, {})
        # The same person (names compared): an event naming another organisation's
        # student must not hand someone else's sign-in over.
        if (
            home is not None
            and home.activated
            and (home.surname.casefold(), home.name.casefold())
            == (str(row.get("surname", "")).casefold(), str(row.get("name", "")).casefold())
        ):
            await repo.join_to_home(session, tenant_id, c.id, home)
            joined[c.id] = home.tenant_id
    return joined


async def on_students_expelled(*, session: AsyncSession, events: list[Envelope]) -> None:
    """Disable each expelled (or graduated) student; end their guardians' links; disable
    a guardian left without an active child (one with another child keeps access)."""
    for event in events:
        data = STUDENT_EXPELLED.parse(event.data)
        await _student_left(session, event, data.student_id)


async def on_students_moved(*, session: AsyncSession, events: list[Envelope]) -> None:
    """A transfer, promotion, retention or return from leave: the student's account
    follows them to the new group (and so to its curator). The latest event wins."""
    groups: dict[uuid.UUID, uuid.UUID] = {}
    for event in sorted(events, key=lambda e: e.occurred_at):
        data = STUDENT_MOVED.parse(event.data)
        groups[data.student_id] = data.to_group_id
    await _move(session, events[0].tenant_id, groups)


async def on_leave_ended(*, session: AsyncSession, events: list[Envelope]) -> None:
    """Back from academic leave, perhaps into another group: the account follows."""
    groups: dict[uuid.UUID, uuid.UUID] = {}
    for event in sorted(events, key=lambda e: e.occurred_at):
        data = LEAVE_ENDED.parse(event.data)
        groups[data.student_id] = data.group_id
    await _move(session, events[0].tenant_id, groups)


async def _move(
    session: AsyncSession, tenant_id: uuid.UUID, groups: dict[uuid.UUID, uuid.UUID]
) -> None:
    known = await repo.set_student_groups(session, tenant_id, groups)
    if set(groups) - known:
        raise StudentNotYetProvisioned("a moved student's account does not exist yet")


async def on_orders_cancelled(*, session: AsyncSession, events: list[Envelope]) -> None:
    """A cancelled order: students it had brought into study (an enrolment, a
    reinstatement) and who are no longer studying lose their accounts as at an
    expulsion; the others follow their restored group. Those it had taken out of study
    come back through `accounts.requested`, which contingent sends with the cancellation."""
    for event in events:
        data = ORDER_CANCELLED.parse(event.data)
        studying = {s.student_id: s.group_id for s in data.students if s.status in STUDYING}
        if studying:
            await _move(session, event.tenant_id, studying)
        for s in data.students:
            if s.status not in STUDYING:
                await _student_left(session, event, s.student_id)


# Contingent's states in which a person is a student (on leave too: the account stays).
STUDYING = frozenset({"active", "on_leave"})


async def _student_left(session: AsyncSession, event: Envelope, student_id: uuid.UUID) -> None:
    t = event.tenant_id
    now = datetime.now(UTC)
    student_user = await repo.disable_student(session, t, student_id, now)
    if student_user is None:
        raise StudentNotYetProvisioned("the student's account does not exist yet")
    guardians = await repo.end_links_of_child(session, t, student_user, now)
    disabled_guardians = await repo.disable_guardians_without_children(session, t, guardians, now)
    disabled = [
        (student_user, student_id, "student"),
        *((g.id, g.person_id, "guardian") for g in disabled_guardians),
    ]
    # A disabled account's sign-ins end now, not when their tokens expire.
    await repo.revoke_refresh_tokens_of(session, t, [u for u, _, _ in disabled], now)
    await audit.record_many(
        session,
        tenant_id=t,
        entries=[
            audit.Entry(
                actor=event.actor,
                action="disable",
                entity="user",
                entity_id=user_id,
                details={"event_id": str(event.id)},
            )
            for user_id, _, _ in disabled
        ],
    )
    await add_events(
        session,
        [
            ACCOUNT_DISABLED.envelope(
                tenant_id=t,
                actor=event.actor,
                subject_id=user_id,
                data=AccountDisabledV1(user_id=user_id, person_id=person_id, kind=kind),
            )
            for user_id, person_id, kind in disabled
        ],
    )


async def on_groups_created(*, session: AsyncSession, events: list[Envelope]) -> None:
    """Remember each new group's curator (what a curator may do is bounded by them)."""
    curators, names = {}, {}
    for event in sorted(events, key=lambda e: e.occurred_at):
        data = GROUP_CREATED.parse(event.data)
        curators[data.group_id] = (data.curator_user_id, event.occurred_at)
        names[data.group_id] = data.name[:100]
    await repo.set_curators(session, events[0].tenant_id, curators)
    await repo.set_group_names(session, events[0].tenant_id, names)


async def on_curators_changed(*, session: AsyncSession, events: list[Envelope]) -> None:
    """A group's curator changed: the previous one loses, the new one gains, the rights
    over its students' accounts. The latest change wins, whatever the arrival order."""
    curators = {}
    for event in sorted(events, key=lambda e: e.occurred_at):
        data = GROUP_CURATOR_CHANGED.parse(event.data)
        curators[data.group_id] = (data.curator_user_id, event.occurred_at)
    await repo.set_curators(session, events[0].tenant_id, curators)


# Positions a hiring order may give (contingent's catalogue, kept here too: identity
# decides what a token may do, and an HR order never makes an administrator).
HIRE_POSITIONS = frozenset({"teacher"})


async def on_employees_hired(*, session: AsyncSession, events: list[Envelope]) -> None:
    """A signed hiring order: the person's staff account — created with a login from the
    surname (a credential slip from the administrator activates it), or re-enabled if
    they worked here before — with the position the order gives, if any."""
    t = events[0].tenant_id
    parsed = [(e, EMPLOYEE_HIRED.parse(e.data)) for e in events]
    rows = {
        d.employee_id: {**_person("staff", d.employee_id, d), "group_id": None} for _, d in parsed
    }
    created = await repo.insert_people(session, t, list(rows.values()))
    people = {r.person_id: r for r in await repo.users_by_person(session, t, list(rows))}
    staff = {pid: r for pid, r in people.items() if r.kind == "staff"}
    back = [r.id for r in staff.values() if not r.active]
    if back:
        # Taken on again: as new — only the positions an HR order may give, and a fresh
        # credential slip (not the password, nor the rights, they left with).
        await repo.reset_for_rehire(session, t, back, keep=sorted(HIRE_POSITIONS))
        await repo.reactivate(session, t, back)
    positions = await repo.positions_by_code(session, t, sorted(HIRE_POSITIONS))
    new = {c.person_id for c in created}
    for event, d in parsed:
        user = staff[d.employee_id]
        if d.position_code in positions:
            await repo.assign_position(session, t, user.id, positions[d.position_code])
        await audit.record(
            session,
            tenant_id=t,
            actor=event.actor,
            action="provision" if d.employee_id in new else "enable",
            entity="user",
            entity_id=user.id,
            details={"event_id": str(event.id), "position": d.position_code},
        )
    await changes.announce(session, t, events[0].actor, [(u.id, "staff") for u in staff.values()])


async def on_employees_dismissed(*, session: AsyncSession, events: list[Envelope]) -> None:
    """A signed dismissal: the staff account is disabled and its sign-ins end now. (The
    last administrator too: the region restores an organisation's administrator.)"""
    now = datetime.now(UTC)
    for event in events:
        data = EMPLOYEE_DISMISSED.parse(event.data)
        t = event.tenant_id
        user = await repo.disable_staff_person(session, t, data.employee_id, now)
        if user is None:
            raise StudentNotYetProvisioned("the employee's account does not exist yet")
        await repo.revoke_refresh_tokens_of(session, t, [user], now)
        await audit.record(
            session,
            tenant_id=t,
            actor=event.actor,
            action="disable",
            entity="user",
            entity_id=user,
            details={"event_id": str(event.id)},
        )
        await add_events(
            session,
            [
                ACCOUNT_DISABLED.envelope(
                    tenant_id=t,
                    actor=event.actor,
                    subject_id=user,
                    data=AccountDisabledV1(user_id=user, person_id=data.employee_id, kind="staff"),
                )
            ],
        )
