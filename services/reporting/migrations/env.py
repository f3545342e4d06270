from edureg_reporting.persistence.tables import Base
from edureg_shared.migrations import run_env

run_env(Base.metadata)
