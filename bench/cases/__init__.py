"""Benchmark modules: every module here is imported by the runner and registers its @benchmark functions."""
