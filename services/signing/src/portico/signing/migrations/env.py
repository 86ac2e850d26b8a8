from portico.kit.migrations import run_env
from portico.signing.models import Base

run_env(Base.metadata)
