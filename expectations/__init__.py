"""The Great Expectations gate: suites kept as code (``expectations.suites``), one per table family,
run on pandas frames read through a read-only DuckDB connection by ``expectations.checkpoint``."""
