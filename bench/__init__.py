"""Benchmarks: scripts that print their figures (run each with .venv/bin/python bench/NAME.py)."""
