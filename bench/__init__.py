"""Benchmarks of the Liaison Portal, run with `make bench` (`python -m bench [NAME ...]`)."""
