from portico.kit.cli import run_cli
from portico.portal.app import service

run_cli(service)
