"""Benchmarks of issue 5: Keshang against the raw-database limit on one seeded workload (see README.md)."""
