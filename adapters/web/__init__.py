"""The web dashboard: a driving adapter, HTTP in and read models out (DESIGN.md)."""
