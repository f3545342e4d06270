from edureg_schedule.persistence.tables import Base
from edureg_shared.migrations import run_env

run_env(Base.metadata)
