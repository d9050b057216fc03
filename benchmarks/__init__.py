"""Benchmarks: one command (`uv run python -m benchmarks.run`), not part of the test suite."""
