"""Exports of everything Portico holds about a client (GDPR access requests, docs/exports.md)."""
