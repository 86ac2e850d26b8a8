"""Quotes: their lines and totals, their numbers and their life from draft to invoice."""
