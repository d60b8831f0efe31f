"""The Matrix adapter, on matrix-nio's AsyncClient (end-to-end encryption via vodozemac)."""
