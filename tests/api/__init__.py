"""Tests of the pure protocol layer (no Home Assistant)."""
