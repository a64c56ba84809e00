"""``python -m app.cli``: the txexplain command line."""

from app.cli.main import main

main()
