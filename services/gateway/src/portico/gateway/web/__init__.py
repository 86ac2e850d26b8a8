"""What every page shares: the session cookie, CSRF, languages, rendering, security headers."""
