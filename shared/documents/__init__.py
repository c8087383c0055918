"""Documents the service prints: award certificates and pupil login cards (PDF), and the PDF helpers.

Rendering only: callers pass what to print, so this package imports no domain package.
"""
