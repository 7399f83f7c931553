"""Communes and their EPCI as organisations, from INSEE's official data."""
