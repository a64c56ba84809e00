"""Ed25519 keys for checkpoints: generated on first run for the embedded default, loaded after."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


class SignatureError(ValueError):
    """A checkpoint signature does not verify."""


def key_id_of(public_key_hex: str) -> str:
    """First 8 bytes (hex) of SHA-256 of the raw public key."""
    return hashlib.sha256(bytes.fromhex(public_key_hex.removeprefix("0x"))).hexdigest()[:16]


class Signer:
    """An Ed25519 private key and what verifiers need to know about it."""

    def __init__(self, private_key: Ed25519PrivateKey):
        self._key = private_key
        raw = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.public_key_hex = "0x" + raw.hex()
        self.key_id = key_id_of(self.public_key_hex)

    @classmethod
    def load(cls, path: Path) -> Signer:
        """The PEM key at ``path``; nothing is created.

        Raises:
            FileNotFoundError: no key there.
            ValueError: the file is not an Ed25519 private key.
        """
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} is not an Ed25519 private key")
        return cls(key)

    @classmethod
    def load_or_create(cls, path: Path) -> Signer:
        """Load the PEM key at ``path``; create it (mode 0600) if it does not exist."""
        if path.exists():
            return cls.load(path)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        return cls(key)

    def sign(self, message: bytes) -> str:
        """0x-hex Ed25519 signature of ``message``."""
        return "0x" + self._key.sign(message).hex()

    def public_pem(self) -> str:
        """The public key as PEM (SubjectPublicKeyInfo)."""
        return self._key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def verify_signature(public_key_hex: str, message: bytes, signature_hex: str) -> None:
    """Raises SignatureError unless ``signature_hex`` is a valid Ed25519 signature of ``message``."""
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex.removeprefix("0x")))
        key.verify(bytes.fromhex(signature_hex.removeprefix("0x")), message)
    except (InvalidSignature, ValueError) as exc:
        raise SignatureError("checkpoint signature does not verify") from exc
