"""The gateway: every page people see, rendered over the services' HTTP APIs."""
