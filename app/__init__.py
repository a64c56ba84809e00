"""app/: wiring only — settings, FastAPI routes, the CLI."""
