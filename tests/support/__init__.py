"""Shared test support: paths to the example data, test databases and factories.

Tests, fixtures and benchmarks import from here (never from `tests.conftest`, which only
declares fixtures).
"""
