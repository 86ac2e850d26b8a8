from portico.documents.app import service
from portico.kit.cli import run_cli

run_cli(service)
