"""How we serve the model with vLLM on a GPU host: the exact command and environment.

`txexplain vllm-command` prints them; the README shows the same line; tests pin both.
"""

from __future__ import annotations

import shlex
from typing import Literal

Quantization = Literal["awq", "fp8"]


def serve_command(model: str, quantization: Quantization = "awq", *, seed: int = 0, port: int = 8000,
                  max_model_len: int = 4096, served_name: str | None = None) -> tuple[list[str], dict[str, str]]:
    """(argv, env) for an OpenAI-compatible vLLM server with prefix caching and reproducible output."""
    argv = ["vllm", "serve", model, "--enable-prefix-caching", "--quantization", quantization, "--seed", str(seed),
            "--port", str(port), "--max-model-len", str(max_model_len)]
    if served_name:
        argv += ["--served-model-name", served_name]
    # Batch-invariant kernels: the same prompt gives the same tokens whatever else is in the batch.
    return argv, {"VLLM_BATCH_INVARIANT": "1"}


def shell_line(model: str, quantization: Quantization = "awq", **options: object) -> str:
    """The command as one shell line, environment first."""
    argv, env = serve_command(model, quantization, **options)  # type: ignore[arg-type]
    return " ".join(f"{k}={v}" for k, v in env.items()) + " " + shlex.join(argv)
