"""Events identity publishes (contracts) and the tolerant models of those it consumes."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from edureg_shared.events.contract import Consumes, EventContract

Kind = Literal["staff", "student", "guardian"]


class ProvisionedAccount(BaseModel):
    user_id: uuid.UUID
    person_id: uuid.UUID | None
    kind: Kind
    # Created (or enabled again) by this enrolment; false for an active account known
    # before (a guardian of a sibling) that is now linked to this student.
    new: bool = True


class AccountsProvisionedV1(BaseModel):
    """The accounts of one enrolment: the student's and every guardian's, each flagged
    `new` when the enrolment created or re-enabled it (subject: the student, as contingent
    knows them).
    A guardian already known here — of a sibling — is listed too, so every service links
    the second child to them. No names, no logins. One event per enrolment, not per
    account: a third of the messages at enrolment peaks."""

    student_id: uuid.UUID
    accounts: list[ProvisionedAccount]


class AccountDisabledV1(BaseModel):
    """An account was disabled (expulsion; a guardian left without active children)."""

    user_id: uuid.UUID
    person_id: uuid.UUID | None
    kind: Kind


class OrganisationRegisteredV1(BaseModel):
    """A regional administrator registered an organisation (subject id and tenant: the
    organisation): every service prepares its defaults for it."""

    organisation_id: uuid.UUID
    code: str
    kind: Literal["school", "college"]
    name: str
    short_name: str
    municipality: str


class OrganisationStatusChangedV1(BaseModel):
    """An organisation was archived (its users can no longer sign in) or restored."""

    organisation_id: uuid.UUID
    status: Literal["active", "archived"]


class UserSignedInV1(BaseModel):
    """Someone signed in with their password (subject: the account). What reporting
    counts for the organisations' user-activity report (002 5.1, 004 6.1): no login, no
    name, no address — those stay in identity's sign-in log."""

    user_id: uuid.UUID
    kind: Kind
    # The first sign-in with a one-time password (the account is not activated yet).
    one_time_password: bool


class PasswordSetV1(BaseModel):
    """An account's owner set their own password (the first such event of an account: it
    is activated). `replaced_one_time`: it replaced a one-time password from a slip."""

    user_id: uuid.UUID
    kind: Kind
    replaced_one_time: bool


class AccountChangedV1(BaseModel):
    """What an account may do or how it signs in changed (positions, enabled again, its
    login, joined to a home account): whoever mirrors accounts reads it afresh."""

    user_id: uuid.UUID
    kind: Kind


ACCOUNTS_PROVISIONED = EventContract("identity.accounts.provisioned", 1, AccountsProvisionedV1)
ACCOUNT_DISABLED = EventContract("identity.account.disabled", 1, AccountDisabledV1)
ORGANISATION_REGISTERED = EventContract(
    "identity.organisation.registered", 1, OrganisationRegisteredV1
)
ORGANISATION_STATUS_CHANGED = EventContract(
    "identity.organisation.status_changed", 1, OrganisationStatusChangedV1
)
USER_SIGNED_IN = EventContract("identity.user.signed_in", 1, UserSignedInV1)
PASSWORD_SET = EventContract("identity.user.password_set", 1, PasswordSetV1)
ACCOUNT_CHANGED = EventContract("identity.account.changed", 1, AccountChangedV1)
PUBLISHES = (
    ACCOUNT_CHANGED,
    ACCOUNTS_PROVISIONED,
    ACCOUNT_DISABLED,
    ORGANISATION_REGISTERED,
    ORGANISATION_STATUS_CHANGED,
    USER_SIGNED_IN,
    PASSWORD_SET,
)


class _Tolerant(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Name(_Tolerant):
    surname: str
    name: str
    patronymic: str | None = None


class Guardian(Name):
    guardian_id: uuid.UUID
    match_key: str | None = None


class TransferredFrom(_Tolerant):
    organisation_id: uuid.UUID
    student_id: uuid.UUID


class AccountsRequested(_Tolerant):
    """What identity reads of `contingent.accounts.requested` v1."""

    student_id: uuid.UUID
    group_id: uuid.UUID
    valid_from: date
    student: Name
    guardians: list[Guardian] = []
    transferred_from: TransferredFrom | None = None


class StudentExpelled(_Tolerant):
    """What identity reads of `contingent.student.expelled` v2."""

    student_id: uuid.UUID


class StudentMoved(_Tolerant):
    """What identity reads of `contingent.student.transferred/promoted/retained` v1:
    the group the student is in from now on."""

    student_id: uuid.UUID
    to_group_id: uuid.UUID


class StudentBack(_Tolerant):
    """What identity reads of `contingent.student.academic_leave_ended` v1."""

    student_id: uuid.UUID
    group_id: uuid.UUID


class RestoredStudent(_Tolerant):
    student_id: uuid.UUID
    status: str
    group_id: uuid.UUID


class OrderCancelled(_Tolerant):
    """What identity reads of `contingent.order.cancelled` v1."""

    students: list[RestoredStudent]


class EmployeeHired(_Tolerant):
    """What identity reads of `contingent.employee.hired` v1."""

    employee_id: uuid.UUID
    surname: str
    name: str
    patronymic: str | None = None
    position_code: str = "none"


class EmployeeDismissed(_Tolerant):
    """What identity reads of `contingent.employee.dismissed` v1."""

    employee_id: uuid.UUID


class GroupCreated(_Tolerant):
    """What identity reads of `contingent.group.created` v1."""

    group_id: uuid.UUID
    name: str = ""
    curator_user_id: uuid.UUID | None = None


class GroupCuratorChanged(_Tolerant):
    """What identity reads of `contingent.group.curator_changed` v1."""

    group_id: uuid.UUID
    curator_user_id: uuid.UUID | None


ACCOUNTS_REQUESTED = Consumes("contingent.accounts.requested", 1, AccountsRequested)
STUDENT_EXPELLED = Consumes("contingent.student.expelled", 2, StudentExpelled)
STUDENT_GRADUATED = Consumes("contingent.student.graduated", 1, StudentExpelled)
STUDENT_TRANSFERRED = Consumes("contingent.student.transferred", 1, StudentMoved)
STUDENT_PROMOTED = Consumes("contingent.student.promoted", 1, StudentMoved)
STUDENT_RETAINED = Consumes("contingent.student.retained", 1, StudentMoved)
LEAVE_ENDED = Consumes("contingent.student.academic_leave_ended", 1, StudentBack)
ORDER_CANCELLED = Consumes("contingent.order.cancelled", 1, OrderCancelled)
EMPLOYEE_HIRED = Consumes("contingent.employee.hired", 1, EmployeeHired)
EMPLOYEE_DISMISSED = Consumes("contingent.employee.dismissed", 1, EmployeeDismissed)
GROUP_CREATED = Consumes("contingent.group.created", 1, GroupCreated)
GROUP_CURATOR_CHANGED = Consumes("contingent.group.curator_changed", 1, GroupCuratorChanged)


class CalendarChanged(_Tolerant):
    """What identity reads of `schedule.working_calendar.changed` v1: the region made a
    day working or not (`working` null: the correction was removed)."""

    day: date
    working: bool | None


CALENDAR_CHANGED = Consumes("schedule.working_calendar.changed", 1, CalendarChanged)


class AccountEvent(_Tolerant):
    """What identity's Keycloak mirror reads of its own account events."""

    user_id: uuid.UUID


class AccountRef(_Tolerant):
    user_id: uuid.UUID


class ProvisionedRef(AccountRef):
    new: bool = True


class AccountsEvent(_Tolerant):
    accounts: list[ProvisionedRef]


class OrganisationEvent(_Tolerant):
    organisation_id: uuid.UUID


# Identity's own events, read back by its Keycloak mirror (edureg_identity.mirror).
OWN_ACCOUNTS_PROVISIONED = Consumes("identity.accounts.provisioned", 1, AccountsEvent)
OWN_ACCOUNT_CHANGED = Consumes("identity.account.changed", 1, AccountEvent)
OWN_ACCOUNT_DISABLED = Consumes("identity.account.disabled", 1, AccountEvent)
OWN_ORGANISATION_REGISTERED = Consumes("identity.organisation.registered", 1, OrganisationEvent)
