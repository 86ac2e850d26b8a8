from portico.kit.cli import run_cli
from portico.notifier.app import service

run_cli(service)
