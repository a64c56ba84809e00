"""Write ``client/enums.py``: the OpenAPI document's enums (rule ids, check names, kinds, severities, verdicts,
decode sources, …) as StrEnums for the Python client, which imports nothing of the service.

    python scripts/gen_client_enums.py          # rewrite client/enums.py from sdk/ts/openapi.json
    python scripts/gen_client_enums.py --check  # exit 1 if it is stale

``make sdk`` runs it after writing the OpenAPI document.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOCUMENT = REPO / "sdk" / "ts" / "openapi.json"
TARGET = REPO / "client" / "enums.py"
NAMED = ("RuleId", "CheckName", "RequestKind", "DecodeSource", "SimulationStatus", "NarrativeSource", "NarrativeMode")
INLINE = {"Severity": ("Finding", "severity"), "Verdict": ("ExplainResult", "verdict")}


def _member(value: str) -> str:
    name = value.upper().replace("-", "_")
    return name if name.isidentifier() else f"V_{name}"


def render(document: dict) -> str:
    """The module's text for ``document``."""
    schemas = document["components"]["schemas"]
    enums = {name: (schemas[name]["enum"], schemas[name].get("description", name)) for name in NAMED}
    for name, (owner, field) in INLINE.items():
        enums[name] = (schemas[owner]["properties"][field]["enum"], f"{owner}.{field}")
    lines = ['"""The service\'s enums, generated from its OpenAPI document by scripts/gen_client_enums.py: do not '
             'edit.', "", "Result models type these fields as ``Enum | str``, so a value a newer server adds still "
             "parses.", '"""', "", "from __future__ import annotations", "", "from enum import StrEnum", ""]
    for name, (values, description) in enums.items():
        first = " ".join(description.split()).split(". ")[0].rstrip(".")
        lines += ["", f"class {name}(StrEnum):", f'    """{first}."""', ""]
        lines += [f"    {_member(v)} = {json.dumps(v)}" for v in values]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if client/enums.py is stale; write nothing")
    wanted = render(json.loads(DOCUMENT.read_text()))
    if parser.parse_args().check:
        if TARGET.read_text() != wanted:
            print("client/enums.py is stale: run make sdk", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(wanted)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
