from portico.kit.migrations import run_env
from portico.quotes.models import Base

run_env(Base.metadata)
