from portico.kit.cli import run_cli
from portico.quotes.app import service

run_cli(service)
