"""The shipped tabletop exercise scenarios (TOML files read by operations/scenarios.py)."""
