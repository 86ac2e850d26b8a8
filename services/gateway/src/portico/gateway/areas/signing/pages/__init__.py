"""The signing area's routers: the templates (list, new, settings) and the field editor."""
