"""app/cli: the ``txexplain`` command line (typer)."""


def main() -> None:
    """Entry point of the ``txexplain`` script (see :func:`app.cli.main.main`)."""
    from app.cli.main import main as run

    run()
