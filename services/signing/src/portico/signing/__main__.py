from portico.kit.cli import run_cli
from portico.signing.app import service

run_cli(service)
