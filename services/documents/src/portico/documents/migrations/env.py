from portico.documents.models import Base
from portico.kit.migrations import run_env

run_env(Base.metadata)
