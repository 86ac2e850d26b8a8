from portico.kit.migrations import run_env
from portico.notifier.models import Base

run_env(Base.metadata)
