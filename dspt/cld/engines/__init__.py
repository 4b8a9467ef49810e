"""Execution engines: DuckDB on one machine (default) and Apache Spark (local or a cluster)."""
