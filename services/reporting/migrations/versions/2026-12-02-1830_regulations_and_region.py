"""reporting: the region's organisations and calendar, the regulation profiles (the
region's and an organisation's own deadlines), what the deadlines are judged by
(academic years, publications, profile saves), sign-ins; the counting functions, each
read by an organisation under its row-level security and by the region through a
SECURITY DEFINER wrapper that returns counts only

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 18:30:00
"""

from collections.abc import Sequence

from alembic import op

from edureg_shared.migrations import roles, tenant_table

SERVICE = "reporting"
TENANT_TABLES = (
    "organisation_rules",
    "academic_years",
    "publications",
    "profile_saves",
    "sign_in_days",
    "last_sign_ins",
)
# Read by the counting functions on the region's behalf.
COUNTED = (
    "lessons",
    "lesson_entries",
    "group_occupancy",
    "movement_log",
    "organisation_rules",
    "academic_years",
    "publications",
    "profile_saves",
    "sign_in_days",
)
REGION_WIDE = ("organisations", "calendar_days", "region_rules")

# (name, arguments, result columns, body): each an organisation's counts under its
# row-level security; `region_<name>` runs the same as the owner, for every organisation.
COUNTS = (
    (
        "lesson_entry_counts",
        "p_from date, p_to date, p_tz text",
        "tenant_id uuid, day date, entered_on date, lessons bigint",
        """SELECT l.tenant_id, l.day, (e.entered_at AT TIME ZONE p_tz)::date, count(*)
        FROM public.lessons l
        LEFT JOIN public.lesson_entries e
          ON e.tenant_id = l.tenant_id AND e.lesson_id = l.lesson_id
        WHERE l.status = 'scheduled' AND l.day BETWEEN p_from AND p_to
        GROUP BY 1, 2, 3""",
    ),
    (
        "rule_values",
        "",
        "tenant_id uuid, code text, value integer",
        "SELECT tenant_id, code::text, value::integer FROM public.organisation_rules",
    ),
    (
        "yearly_items",
        "p_from date, p_to date, p_tz text",
        "tenant_id uuid, starts_on date, timetable_on date, profile_on date",
        """SELECT y.tenant_id, y.starts_on,
          (SELECT min(p.published_at AT TIME ZONE p_tz)::date FROM public.publications p
            WHERE p.tenant_id = y.tenant_id AND p.academic_year_id = y.academic_year_id
              AND p.what = 'timetable'),
          (SELECT min(s.saved_at AT TIME ZONE p_tz)::date FROM public.profile_saves s
            WHERE s.tenant_id = y.tenant_id AND s.complete
              AND (s.saved_at AT TIME ZONE p_tz)::date
                  >= make_date(extract(year FROM y.starts_on)::int
                               - (extract(month FROM y.starts_on) < 7)::int, 7, 1))
        FROM public.academic_years y
        WHERE y.starts_on <= p_to AND y.ends_on >= p_from""",
    ),
    (
        "occupancy_counts",
        "",
        "tenant_id uuid, groups bigint, students bigint",
        """SELECT tenant_id, count(*) FILTER (WHERE name IS NOT NULL),
          coalesce(sum(active_students), 0)::bigint
        FROM public.group_occupancy GROUP BY 1""",
    ),
    (
        "movement_counts",
        "p_from date, p_to date",
        "tenant_id uuid, kind text, moved bigint",
        """SELECT tenant_id, kind::text, count(*) FROM public.movement_log
        WHERE effective_date BETWEEN p_from AND p_to GROUP BY 1, 2""",
    ),
    (
        "sign_in_counts",
        "p_from date, p_to date",
        "tenant_id uuid, kind text, sign_ins bigint",
        """SELECT tenant_id, kind::text, sum(sign_ins)::bigint FROM public.sign_in_days
        WHERE day BETWEEN p_from AND p_to GROUP BY 1, 2""",
    ),
)

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _types(args: str) -> str:
    return ", ".join(a.split()[1] for a in args.split(", ")) if args else ""


def _names(args: str) -> str:
    return ", ".join(a.split()[0] for a in args.split(", ")) if args else ""


def upgrade() -> None:
    r = roles(SERVICE)
    op.execute("""CREATE TABLE organisations (
    organisation_id UUID NOT NULL,
    code VARCHAR(40) NOT NULL,
    kind VARCHAR(20) NOT NULL,
    name VARCHAR(500) NOT NULL,
    short_name VARCHAR(200) NOT NULL,
    municipality VARCHAR(200) NOT NULL,
    status VARCHAR(20) DEFAULT 'active' NOT NULL,
    as_of TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_organisations PRIMARY KEY (organisation_id)
)""")
    op.execute("""CREATE TABLE calendar_days (
    day DATE NOT NULL,
    working BOOLEAN NOT NULL,
    CONSTRAINT pk_calendar_days PRIMARY KEY (day)
)""")
    op.execute("""CREATE TABLE region_rules (
    code VARCHAR(40) NOT NULL,
    value SMALLINT NOT NULL,
    updated_by UUID NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    CONSTRAINT pk_region_rules PRIMARY KEY (code)
)""")
    op.execute("""CREATE TABLE organisation_rules (
    tenant_id UUID NOT NULL,
    code VARCHAR(40) NOT NULL,
    value SMALLINT NOT NULL,
    reason VARCHAR(300) NOT NULL,
    updated_by UUID NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    CONSTRAINT pk_organisation_rules PRIMARY KEY (tenant_id, code)
)""")
    op.execute("""CREATE TABLE academic_years (
    tenant_id UUID NOT NULL,
    academic_year_id UUID NOT NULL,
    title VARCHAR(40) NOT NULL,
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    CONSTRAINT pk_academic_years PRIMARY KEY (tenant_id, academic_year_id)
)""")
    op.execute("""CREATE TABLE publications (
    tenant_id UUID NOT NULL,
    academic_year_id UUID NOT NULL,
    what VARCHAR(20) NOT NULL,
    published_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_publications PRIMARY KEY (tenant_id, academic_year_id, what)
)""")
    op.execute("""CREATE TABLE profile_saves (
    tenant_id UUID NOT NULL,
    event_id UUID NOT NULL,
    saved_at TIMESTAMP WITH TIME ZONE NOT NULL,
    complete BOOLEAN NOT NULL,
    missing SMALLINT NOT NULL,
    CONSTRAINT pk_profile_saves PRIMARY KEY (tenant_id, event_id)
)""")
    op.execute("""CREATE TABLE sign_in_days (
    tenant_id UUID NOT NULL,
    day DATE NOT NULL,
    kind VARCHAR(20) NOT NULL,
    sign_ins INTEGER NOT NULL,
    CONSTRAINT pk_sign_in_days PRIMARY KEY (tenant_id, day, kind)
)""")
    op.execute("""CREATE TABLE last_sign_ins (
    tenant_id UUID NOT NULL,
    user_id UUID NOT NULL,
    kind VARCHAR(20) NOT NULL,
    last_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_last_sign_ins PRIMARY KEY (tenant_id, user_id)
)""")
    op.execute(
        """CREATE INDEX ix_last_sign_ins_tenant_id_last_at ON last_sign_ins (tenant_id, last_at)"""
    )
    for table in TENANT_TABLES:
        tenant_table(table, service=SERVICE)
    for table in REGION_WIDE:
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {r.app}")
    for table in COUNTED:
        op.execute(f"CREATE POLICY owner_counts ON {table} FOR SELECT TO {r.owner} USING (true)")
    for name, args, result, body in COUNTS:
        op.execute(
            f"CREATE FUNCTION public.{name}({args}) RETURNS TABLE ({result}) "
            f"LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$ {body} $$"
        )
        op.execute(
            f"CREATE FUNCTION public.region_{name}({args}) RETURNS TABLE ({result}) "
            "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public "
            f"AS $$ SELECT * FROM public.{name}({_names(args)}) $$"
        )
        for fn in (name, f"region_{name}"):
            op.execute(f"REVOKE ALL ON FUNCTION public.{fn}({_types(args)}) FROM PUBLIC")
            op.execute(f"GRANT EXECUTE ON FUNCTION public.{fn}({_types(args)}) TO {r.app}")


def downgrade() -> None:
    for name, args, _, _ in COUNTS:
        op.execute(f"DROP FUNCTION public.region_{name}({_types(args)})")
        op.execute(f"DROP FUNCTION public.{name}({_types(args)})")
    for table in COUNTED:
        op.execute(f"DROP POLICY owner_counts ON {table}")
    for table in (*reversed(TENANT_TABLES), *REGION_WIDE):
        op.execute(f"DROP TABLE {table}")
