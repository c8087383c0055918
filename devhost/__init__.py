"""Local Functions host for machines without Azure Functions Core Tools. Not deployed (.funcignore)."""
