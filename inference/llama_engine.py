"""The embedded engine: llama-cpp-python in-process, one lock around the model."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from inference.engine import EngineError, Generation, ModelIdentity, Sampling
from inference.model_files import quantization_of, weights_sha256


class LlamaCppEngine:
    """A GGUF model in llama.cpp; prompts sharing a prefix reuse its evaluated state."""

    def __init__(self, model_path: Path, *, n_ctx: int = 4096, n_threads: int = 1):
        import llama_cpp
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        self._llama_cpp = llama_cpp
        self._llm = llama_cpp.Llama(
            model_path=str(model_path), n_ctx=n_ctx, n_threads=n_threads, n_threads_batch=n_threads,
            seed=0, verbose=False,
        )
        template = self._llm.metadata.get("tokenizer.chat_template")
        if not template:
            raise EngineError(f"{model_path.name} has no chat template")
        eos = self._llm.token_eos()
        self._formatter = Jinja2ChatFormatter(
            template=template,
            eos_token=self._llm._model.token_get_text(eos),
            bos_token=self._llm._model.token_get_text(self._llm.token_bos()),
        )
        self._lock = threading.Lock()
        self._grammars: dict[str, Any] = {}
        self.identity = ModelIdentity(
            engine="llama_cpp",
            name=model_path.name,
            weights_sha256=weights_sha256(model_path),
            quantization=quantization_of(model_path),
        )

    def render(self, messages: list[dict[str, str]]) -> str:
        """The exact prompt text the model sees for ``messages``."""
        return self._formatter(messages=messages).prompt

    def count_tokens(self, text: str) -> int:
        """Tokens in ``text`` as this model tokenizes a prompt."""
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def _grammar(self, schema: dict[str, Any]) -> Any:
        key = json.dumps(schema, sort_keys=True)
        if key not in self._grammars:
            self._grammars[key] = self._llama_cpp.LlamaGrammar.from_json_schema(key, verbose=False)
        return self._grammars[key]

    def generate(self, messages: list[dict[str, str]], schema: dict[str, Any], sampling: Sampling) -> Generation:
        """Generate grammar-constrained JSON; reused prompt tokens come from llama.cpp's own counters."""
        prompt = self.render(messages)
        with self._lock:
            ctx = self._llm.ctx
            self._llama_cpp.llama_perf_context_reset(ctx)
            start = time.perf_counter()
            try:
                out = self._llm.create_completion(
                    prompt=prompt, grammar=self._grammar(schema), max_tokens=sampling.max_tokens,
                    temperature=sampling.temperature, seed=sampling.seed, top_p=sampling.top_p,
                    top_k=sampling.top_k, repeat_penalty=sampling.repeat_penalty,
                )
            except Exception as exc:
                raise EngineError(f"llama.cpp failed: {exc}") from exc
            duration = (time.perf_counter() - start) * 1000
            evaluated = self._llama_cpp.llama_perf_context(ctx).n_p_eval
        usage = out["usage"]
        return Generation(
            prompt=prompt,
            text=out["choices"][0]["text"],
            prompt_tokens=usage["prompt_tokens"],
            cached_tokens=max(0, usage["prompt_tokens"] - evaluated),
            completion_tokens=usage["completion_tokens"],
            finish_reason=out["choices"][0].get("finish_reason"),
            duration_ms=round(duration, 3),
        )
