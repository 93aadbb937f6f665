"""Benchmarks: ``python -m benchmarks`` runs them all against the peers, measured in the same run."""
