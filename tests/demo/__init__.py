"""The README's demo command, run headless."""
