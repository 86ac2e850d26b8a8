"""One client per service API, so that a page never builds a service URL by hand."""
