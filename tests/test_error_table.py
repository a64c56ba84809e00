"""Every failure goes through the one error table (app/errors.py): routes and commands raise, the table answers.
No route builds a problem response and no command exits with a literal code."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from app.errors import ERRORS, EXIT_FAILED, EXIT_FLAGGED, EXIT_INVALID

ROOT = Path(__file__).resolve().parents[1]


def calls(path: Path) -> list[ast.Call]:
    return [node for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.Call)]


def name_of(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def test_no_command_exits_with_a_literal_code() -> None:
    literal = [f"{path.relative_to(ROOT)}:{call.lineno}" for path in sorted((ROOT / "app").rglob("*.py"))
               for call in calls(path) if name_of(call) in ("Exit", "exit")
               and any(isinstance(arg, ast.Constant) for arg in call.args)]
    assert literal == []


def test_no_route_answers_an_error_of_its_own() -> None:
    """A JSONResponse with an error status appears only where the table is read (app/api/problems.py)."""
    built = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        if path.name == "problems.py":
            continue
        for call in calls(path):
            status = next((k.value for k in call.keywords if k.arg == "status_code"), None)
            if name_of(call) == "JSONResponse" and isinstance(status, ast.Constant) and status.value >= 400:
                built.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    assert built == []


def test_every_failure_has_a_problem_slug_and_an_exit_code() -> None:
    assert all(f.exit_code in (EXIT_INVALID, EXIT_FAILED) and f.slug and f.title for f in ERRORS.values())
    assert EXIT_FLAGGED not in {f.exit_code for f in ERRORS.values()}  # 1 is an answer, not a failure


@pytest.mark.parametrize("command", [["verify"], ["query"], ["export"], ["stats"], ["repair", "--adopt"],
                                     ["checkpoint", "export"]])
def test_audit_commands_never_create_a_ledger(command: list[str], tmp_path: Path) -> None:
    missing = tmp_path / "typo" / "audit.db"
    (tmp_path / "typo").mkdir()
    env = {"PATH": "/usr/bin:/bin", "TXEXPLAIN_DATABASE_URL": f"sqlite:///{missing}",
           "TXEXPLAIN_SIGNING_KEY_PATH": str(tmp_path / "signing.key"), "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "app.cli", "audit", *command, "--public-key", "0x" + "11" * 32]
                          if command == ["verify"] else [sys.executable, "-m", "app.cli", "audit", *command],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == EXIT_INVALID, done.stderr
    assert done.stderr.strip() == f"error: no audit database at {missing} (TXEXPLAIN_DATABASE_URL): nothing was " \
                                  "created"
    assert list((tmp_path / "typo").iterdir()) == [] and not (tmp_path / "signing.key").exists()
