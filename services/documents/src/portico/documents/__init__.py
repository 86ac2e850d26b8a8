"""The documents staff ask clients for: their types, the uploads, review and expiry."""
