"""Smart documents: templates with fields that clients fill and sign online."""
