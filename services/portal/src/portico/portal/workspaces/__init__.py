"""Workspaces: a client's space for one project (notes, links, files, tasks, messages)."""
