"""warroom: one war room for security incidents that cross organisational lines."""

__version__ = "0.1.0"
