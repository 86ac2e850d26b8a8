from portico.kit.migrations import run_env
from portico.portal.models import Base

run_env(Base.metadata)
