"""Graduation lists: who reached which award in a period, by school, for the ceremony."""
