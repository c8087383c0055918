"""Benchmarks: `python -m bench [name-or-issue ...]` prints a table and rewrites those sections of RESULTS.md.

Performance is judged here, never by timed assertions in tests. Storage requests per operation are
counted (deterministic); throughput is reported as a ratio against the raw SDK on the same Azurite in
the same run, because absolute figures on a shared 2-core machine mean little.
"""
