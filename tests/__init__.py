"""Tests of the Milesight X5 integration."""
