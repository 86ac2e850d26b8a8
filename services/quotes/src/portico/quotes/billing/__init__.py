"""The client portal's billing section: the quotes sent to a client and the invoices
issued to it, as the signed-in contact reads them."""
