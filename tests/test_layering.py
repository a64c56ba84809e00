"""The import layering, pinned: app → chain → inference → audit flow one way, and the client stands alone."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ("app", "chain", "inference", "audit", "client", "migrations")
ALLOWED = {
    "chain": {"chain"},
    "inference": {"inference", "chain"},
    "audit": {"audit", "migrations"},  # upgrade() runs the packaged migrations
    "migrations": {"migrations", "audit", "app"},  # Alembic's own CLI reads the service's settings
    "client": {"client"},
    "app": {"app", "chain", "inference", "audit"},
}


def project_imports(path: Path) -> set[str]:
    """The project's top-level packages ``path`` imports, at any depth of the module (lazy imports count)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & set(PROJECT)


def test_each_layer_imports_only_what_it_may() -> None:
    crossings = []
    for layer, allowed in ALLOWED.items():
        for path in sorted((ROOT / layer).rglob("*.py")):
            for imported in sorted(project_imports(path) - allowed):
                crossings.append(f"{path.relative_to(ROOT)} imports {imported}")
    assert crossings == []


def test_the_checker_sees_a_lazy_back_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from audit.db import make_engine\n    import app.api\n")
    assert project_imports(module) == {"audit", "app"}


def test_importing_the_client_loads_no_service_code() -> None:
    probe = ("import sys, client; print(sorted({m.split('.')[0] for m in sys.modules} & "
             "{'app', 'chain', 'inference', 'audit', 'pyrevm', 'sqlalchemy', 'fastapi'}))")
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"


def test_chain_types_load_no_simulator() -> None:
    probe = "import sys, chain; print('pyrevm' in sys.modules, 'chain.analyze' in sys.modules)"
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "False False"
