"""The quotes area's routers: the list, a draft's form, a quote's page, the settings
and the catalogue."""
