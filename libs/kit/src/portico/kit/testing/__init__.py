"""Pytest fixtures that give each test the backends it asks for (a pytest plugin)."""
