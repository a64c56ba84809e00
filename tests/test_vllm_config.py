"""The vLLM deployment we document is the one the code produces, and the settings accept it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pydantic import ValidationError

from app.settings import Settings
from inference.vllm import serve_command, shell_line
from tests.conftest import ROOT

MODEL = "ORG/MODEL-AWQ"


def test_serve_command_enables_prefix_caching_seed_and_batch_invariance() -> None:
    argv, env = serve_command(MODEL, "awq", seed=0, port=8001)
    assert argv == ["vllm", "serve", MODEL, "--enable-prefix-caching", "--quantization", "awq", "--seed", "0",
                    "--port", "8001", "--max-model-len", "4096"]
    assert env == {"VLLM_BATCH_INVARIANT": "1"}


def test_readme_documents_the_generated_line() -> None:
    readme = (ROOT / "README.md").read_text()
    assert shell_line(MODEL, "awq") in readme
    assert shell_line(MODEL.replace("AWQ", "FP8"), "fp8") in readme


def test_cli_prints_the_line_and_refuses_other_quantizations() -> None:
    done = subprocess.run([sys.executable, "-m", "app.cli", "vllm-command", MODEL], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.stdout.splitlines()[0] == shell_line(MODEL, "awq")
    bad = subprocess.run([sys.executable, "-m", "app.cli", "vllm-command", MODEL, "--quantization", "int3"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "quantization" in bad.stderr


def test_settings_for_a_remote_engine() -> None:
    settings = Settings(engine="openai_compatible", openai_base_url="http://gpu:8000", openai_model=MODEL,
                        openai_api_key="sk-secret-123")
    assert settings.openai_api_key.get_secret_value() == "sk-secret-123"
    assert "sk-secret-123" not in repr(settings)
    with pytest.raises(ValidationError, match="TXEXPLAIN_OPENAI_BASE_URL"):
        Settings(engine="openai_compatible")
