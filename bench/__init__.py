"""Portico's benchmarks (`make bench`): each figure is printed beside its baseline."""
