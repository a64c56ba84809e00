"""Write the catalogue's tables (rules, checks) into README.md between their markers; ``--check`` exits 1 when the
README differs from what the catalogue says (the test suite runs it so)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from chain.catalogue.tables import with_tables

README = Path(__file__).resolve().parents[1] / "README.md"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if README.md is stale; write nothing")
    args = parser.parse_args()
    current = README.read_text()
    wanted = with_tables(current)
    if args.check:
        if wanted != current:
            print("README.md's catalogue tables are stale: run python scripts/gen_readme.py", file=sys.stderr)
            return 1
        return 0
    README.write_text(wanted)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
