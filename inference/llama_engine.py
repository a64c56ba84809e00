"""The embedded engine: llama-cpp-python in-process, one lock around the model, and a cache of
evaluated policy-prefix states so alternating policies never re-evaluate their prefix."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from pathlib import Path
from typing import Any

import anyio.to_thread

from inference.engine import EngineError, Generation, ModelIdentity, Sampling
from inference.lru import Lru
from inference.model_files import quantization_of, weights_sha256

GRAMMARS_KEPT = 64  # compiled grammars kept (free mode has one schema; claims mode one per distinct request)


class PrefixStates(Lru[Any]):
    """LRU of llama.cpp states after evaluating a policy prefix, without the unused `scores` array."""

    def nbytes(self) -> int:
        """Memory held by the stored states."""
        return sum(s.llama_state_size + s.scores.nbytes + s.input_ids.nbytes for s in self.values())


class LlamaCppEngine:
    """A GGUF model in llama.cpp; prompts sharing a prefix reuse its evaluated state."""

    def __init__(self, model_path: Path, *, n_ctx: int = 4096, n_threads: int = 1, prefix_states: int = 4):
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
        tokens = {"eos_token": self._llm._model.token_get_text(self._llm.token_eos()),
                  "bos_token": self._llm._model.token_get_text(self._llm.token_bos())}
        self._formatter = Jinja2ChatFormatter(template=template, **tokens)
        self._prefix_formatter = Jinja2ChatFormatter(template=template, add_generation_prompt=False, **tokens)
        self._lock = threading.Lock()
        self._grammars: Lru[Any] = Lru(GRAMMARS_KEPT)  # claims mode builds one schema per request
        self.prefix_states = PrefixStates(prefix_states)
        self.identity = ModelIdentity(
            engine="llama_cpp",
            name=model_path.name,
            weights_sha256=weights_sha256(model_path),
            quantization=quantization_of(model_path),
        )

    def render(self, messages: list[dict[str, str]]) -> str:
        """The exact prompt text the model sees for ``messages``."""
        return self._formatter(messages=messages).prompt

    def render_prefix(self, messages: list[dict[str, str]]) -> str:
        """The text of ``messages`` as a prefix of a longer chat (no generation prompt)."""
        return self._prefix_formatter(messages=messages).prompt

    def tokenize(self, text: str) -> list[int]:
        """Tokens of ``text`` as this model tokenizes a prompt."""
        return self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)

    def count_tokens(self, text: str) -> int:
        """How many tokens ``text`` is."""
        return len(self.tokenize(text))

    def _grammar(self, schema: dict[str, Any]) -> Any:
        key = json.dumps(schema, sort_keys=True)
        grammar = self._grammars.get(key)
        if grammar is None:  # compiled in the schema's own property order: the model writes them in that order
            grammar = self._llama_cpp.LlamaGrammar.from_json_schema(json.dumps(schema), verbose=False)
            self._grammars.put(key, grammar)
        return grammar

    def _warm_prefix(self, prefix: list[int]) -> str:
        """Make the context start with ``prefix``: already there, restored from a state, or evaluated."""
        llm = self._llm
        if llm.n_tokens >= len(prefix) and list(llm._input_ids[: len(prefix)]) == prefix:
            return "context"
        key = hashlib.sha256(json.dumps(prefix).encode()).hexdigest()
        state = self.prefix_states.get(key)
        if state is not None:
            llm.load_state(state)
            return "state_cache"
        llm.reset()
        llm.eval(prefix)
        state = llm.save_state()
        # The scores array (n_batch x n_vocab floats, ~100 MB) is unused: logits come from the next eval.
        # One zero row broadcasts back into place on load_state.
        state.scores = state.scores[:1] * 0
        self.prefix_states.put(key, state)
        return "evaluated"

    def generate_sync(self, messages: list[dict[str, str]], schema: dict[str, Any] | None,
                      sampling: Sampling) -> Generation:
        """Grammar-constrained JSON; reused prompt tokens come from llama.cpp's own counters."""
        prompt = self.render(messages)
        tokens = self.tokenize(prompt)
        prefix = self.tokenize(self.render_prefix(messages[:-1])) if len(messages) > 1 else []
        if tokens[: len(prefix)] != prefix:
            prefix = []  # the template joins turns differently: let llama.cpp match what it can
        streamed: list[float] = []
        with self._lock:
            ctx = self._llm.ctx
            self._llama_cpp.llama_perf_context_reset(ctx)
            start = time.perf_counter()
            try:
                source = self._warm_prefix(prefix) if prefix else None
                grammar = self._grammar(schema) if schema is not None else None
                chunks = self._llm.create_completion(
                    prompt=tokens, grammar=grammar, max_tokens=sampling.max_tokens,
                    temperature=sampling.temperature, seed=sampling.seed, top_p=sampling.top_p,
                    top_k=sampling.top_k, repeat_penalty=sampling.repeat_penalty, stream=True,
                )
                text, finish = [], None
                for chunk in chunks:
                    if not streamed:
                        streamed.append(time.perf_counter())
                    choice = chunk["choices"][0]
                    text.append(choice["text"])
                    finish = choice.get("finish_reason") or finish
            except Exception as exc:
                raise EngineError(f"llama.cpp failed: {exc}") from exc
            duration = (time.perf_counter() - start) * 1000
            perf = self._llama_cpp.llama_perf_context(ctx)
        return Generation(
            prompt=prompt,
            text="".join(text),
            prompt_tokens=len(tokens),
            cached_tokens=max(0, len(tokens) - perf.n_p_eval),
            completion_tokens=perf.n_eval,
            finish_reason=finish,
            duration_ms=round(duration, 3),
            ttft_ms=round((streamed[0] - start) * 1000, 3) if streamed else None,
            prefix_source=source,
        )

    async def generate(self, messages: list[dict[str, str]], schema: dict[str, Any] | None,
                       sampling: Sampling) -> Generation:
        """``generate_sync`` on a worker thread (the model's lock serializes callers)."""
        return await anyio.to_thread.run_sync(self.generate_sync, messages, schema, sampling)
