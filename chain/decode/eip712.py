"""EIP-712 hashing exactly as MetaMask signs ``eth_signTypedData_v4`` (eth-sig-util's ``TypedDataUtils.eip712Hash``
with version V4), so the digest shown is the digest signed.

Where wallets and the EIP differ, this follows the wallet: the declared ``primaryType`` is hashed whatever
other types the document carries (unused ones are ignored, and it need not be a root); a document without
``EIP712Domain`` in ``types`` hashes its domain as ``EIP712Domain()``; a struct-typed field that is ``null``
encodes as 32 zero bytes; a ``null`` string or bytes field hashes as the empty string; numbers may be JSON
numbers or decimal or ``0x`` strings (as JavaScript's ``BigInt`` reads them); and ``primaryType``
``EIP712Domain`` signs the domain alone. ``eth_signTypedData_v3`` (``version="v3"``) leaves a field absent from
the data out of the encoding, refuses arrays and a ``null`` struct, as eth-sig-util's V3 does.
``tests/test_eip712.py`` holds both versions to eth-sig-util itself.
"""

from __future__ import annotations

import re
from typing import Any

from eth_utils import keccak

MAX_DEPTH = 32  # struct and array nesting; eth-sig-util recurses without a bound
MAX_SAFE_NUMBER = 2**53 - 1  # a JavaScript number holds integers exactly up to here
_INT = re.compile(r"^(u?)int(\d*)$")
_FIXED_BYTES = re.compile(r"^bytes(\d+)$")
_HEX = re.compile(r"^0x[0-9a-fA-F]*$")
_JS_DECIMAL = re.compile(r"^[+-]?\d+$")
_JS_PREFIXED = re.compile(r"^0([xob])([0-9a-fA-F]+)$", re.IGNORECASE)
_TYPE_NAME = re.compile(r"^\w*")
Types = dict[str, list[dict[str, Any]]]


class Eip712Error(ValueError):
    """The document cannot be hashed as the wallet would hash it; the message names the field."""


def eip712_hash(typed_data: dict[str, Any], version: str = "v4") -> bytes:
    """keccak256(0x19 ‖ 0x01 ‖ hashStruct(domain) [‖ hashStruct(message)]) as MetaMask computes it for
    ``eth_signTypedData_v4`` (or ``_v3`` with ``version="v3"``).

    Raises:
        Eip712Error: a missing or unhashable part, named.
    """
    types = typed_data.get("types")
    if not isinstance(types, dict) or not all(isinstance(v, list) for v in types.values()):
        raise Eip712Error("types: must be an object of field lists")
    for name, fields in types.items():
        for i, f in enumerate(fields):
            if not isinstance(f, dict) or not isinstance(f.get("name"), str) or not isinstance(f.get("type"), str):
                raise Eip712Error(f"types.{name}[{i}]: must be {{name, type}} strings")
    types = {"EIP712Domain": [], **types}
    primary = typed_data.get("primaryType")
    if not isinstance(primary, str) or not primary:
        raise Eip712Error("primaryType: must be a type name")
    if primary not in types:
        raise Eip712Error(f"primaryType: {primary!r} has no definition in types")
    v3 = version == "v3"
    domain_hash = _hash_struct("EIP712Domain", _data(typed_data.get("domain"), v3),
                               {"EIP712Domain": types["EIP712Domain"]}, "domain", v3=v3)
    parts = [b"\x19\x01", domain_hash]
    if primary != "EIP712Domain":
        parts.append(_hash_struct(primary, _data(typed_data.get("message"), v3), types, "message", v3=v3))
    return keccak(b"".join(parts))


def _data(value: Any, v3: bool) -> Any:
    """What eth-sig-util hashes for a domain or message: V4 drops an empty object (its sanitizer keeps only
    truthy parts); V3 hashes ``{}`` with every field left out."""
    return value if v3 and value == {} else (value or None)


def encode_type(primary: str, types: Types) -> str:
    """``Name(type name,…)`` of ``primary``, then of each type it uses, sorted by name."""
    deps = _dependencies(primary, types, set())
    deps.discard(primary)
    return "".join(name + "(" + ",".join(f"{f['type']} {f['name']}" for f in types[name]) + ")"
                   for name in [primary, *sorted(deps)])


def _dependencies(type_name: str, types: Types, found: set[str]) -> set[str]:
    base = _TYPE_NAME.match(type_name)[0]  # type: ignore[index]
    if base in found or base not in types:
        return found
    found.add(base)
    for field in types[base]:
        _dependencies(field["type"], types, found)
    return found


def _hash_struct(name: str, data: Any, types: Types, path: str, depth: int = 0, *, v3: bool = False) -> bytes:
    if depth > MAX_DEPTH:
        raise Eip712Error(f"{path}: nested deeper than {MAX_DEPTH} levels")
    fields = types[name]
    if fields and not isinstance(data, dict):
        raise Eip712Error(f"{path}: must be an object for type {name}")
    words = [keccak(text=encode_type(name, types))]
    for field in fields:
        present = field["name"] in data if data else False
        if v3 and not present:
            continue  # V3 leaves a field the data lacks out of the encoding
        words.append(_encode_field(types, field["type"], data.get(field["name"]) if data else None, present,
                                   f"{path}.{field['name']}", depth, v3))
    return keccak(b"".join(words))


def _encode_field(types: Types, type_name: str, value: Any, present: bool, path: str, depth: int,
                  v3: bool = False) -> bytes:
    """One 32-byte word of ``encodeData``, each type read as eth-sig-util 9 reads it."""
    if type_name in types:  # a struct: null encodes as zero (V4); V3 cannot read a null one
        if value is None and v3 and types[type_name]:
            raise Eip712Error(f"{path}: a null {type_name} cannot be hashed by eth_signTypedData_v3")
        return (b"\x00" * 32 if value is None and not v3
                else _hash_struct(type_name, value, types, path, depth + 1, v3=v3))
    if type_name == "function":
        raise Eip712Error(f"{path}: the function type is not allowed in EIP-712")
    if not present:
        raise Eip712Error(f"{path}: missing value of type {type_name}")
    if type_name == "address":
        return _address(value, path).rjust(32, b"\x00")
    if type_name == "bool":
        if isinstance(value, bool) or value in ("true", "false"):
            return int(value in (True, "true")).to_bytes(32, "big")
        raise Eip712Error(f"{path}: must be true, false, \"true\" or \"false\"")
    if type_name == "bytes":
        if isinstance(value, int) and not isinstance(value, bool):
            return keccak(_number_bytes(value, path))
        if isinstance(value, str):
            return keccak(_hex_bytes(value) if _HEX.match(value) else value.encode("utf-8"))
        raise Eip712Error(f"{path}: must be 0x-hex, text or a number for type bytes")
    if type_name.startswith("bytes") and "[" not in type_name:
        return _fixed_bytes(value, path)
    if type_name.startswith("int") and "[" not in type_name:
        number = js_bigint(value, path)
        limit = 2 ** _width(type_name, path) - 1  # eth-sig-util's (wider than the ABI's) signed range
        if not -limit <= number <= limit:
            raise Eip712Error(f"{path}: {number} is out of range for {type_name}")
        return (number % 2**256).to_bytes(32, "big")
    if type_name == "string":
        if isinstance(value, int) and not isinstance(value, bool):
            return keccak(_number_bytes(value, path))
        if value is None or isinstance(value, str):
            return keccak((value or "").encode("utf-8"))
        raise Eip712Error(f"{path}: must be a string")
    if type_name.endswith("]"):
        if v3:
            raise Eip712Error(f"{path}: eth_signTypedData_v3 does not hash arrays (use eth_signTypedData_v4)")
        if not isinstance(value, list):
            raise Eip712Error(f"{path}: must be an array for type {type_name}")
        inner = type_name[: type_name.rindex("[")]
        return keccak(b"".join(_encode_field(types, inner, item, True, f"{path}[{i}]", depth + 1)
                               for i, item in enumerate(value)))
    if type_name.startswith("uint"):
        number = js_bigint(value, path)
        if not 0 <= number < 2 ** _width(type_name, path):
            raise Eip712Error(f"{path}: {number} is out of range for {type_name}")
        return number.to_bytes(32, "big")
    raise Eip712Error(f"{path}: unknown type {type_name!r}")


def _width(type_name: str, path: str) -> int:
    match = _INT.match(type_name)
    bits = int(match[2] or 256) if match else 0
    if bits % 8 or not 8 <= bits <= 256:
        raise Eip712Error(f"{path}: {type_name} is not an ABI type")
    return bits


def _number_bytes(value: int, path: str) -> bytes:
    """@metamask/utils' numberToBytes: a safe non-negative integer's big-endian bytes."""
    if not 0 <= value <= MAX_SAFE_NUMBER:
        raise Eip712Error(f"{path}: {value} is not a safe non-negative number")
    return _minimal(value)


def _minimal(value: int) -> bytes:
    """``value``'s big-endian bytes, at least one."""
    return value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")


def _hex_bytes(value: str) -> bytes:
    digits = value[2:]
    return bytes.fromhex(digits.zfill(len(digits) + len(digits) % 2))


def _address(value: Any, path: str) -> bytes:
    """An address as eth-sig-util 9 reads one: a number, 0x-hex of at most 20 bytes, or any other string
    through its digit-by-digit reading (``reallyStrangeAddressToBytes``), cut to 20 bytes."""
    if isinstance(value, int) and not isinstance(value, bool):
        raw = _number_bytes(value, path)
    elif isinstance(value, str) and _HEX.match(value):
        raw = _hex_bytes(value)
    elif isinstance(value, str):
        number = 0
        for ch in value:
            digit = ord(ch) - 48
            number = number * 10 + (digit - 49 + 10 if digit >= 49 else digit - 17 + 10 if digit >= 17 else digit)
        if number < 0:
            raise Eip712Error(f"{path}: {value[:60]!r} is not an address")
        raw = _minimal(number)[:20]
    else:
        raise Eip712Error(f"{path}: must be an address")
    if len(raw) > 20:
        raise Eip712Error(f"{path}: an address is 20 bytes, got {len(raw)}")
    return raw


def _fixed_bytes(value: Any, path: str) -> bytes:
    """bytes1…bytes32, which eth-sig-util 9 encodes as bytes32 whatever the declared width."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            return b"\x00" * 32
        raw = _minimal(value)
    elif isinstance(value, str) and _HEX.match(value):
        raw = _hex_bytes(value)
    else:
        raise Eip712Error(f"{path}: must be 0x-hex")
    if len(raw) > 32:
        raise Eip712Error(f"{path}: {len(raw)} bytes do not fit 32")
    return raw.ljust(32, b"\x00")


def js_bigint(value: Any, path: str) -> int:
    """An integer as JavaScript's ``BigInt(value)`` reads a number or string (decimal with sign, 0x/0o/0b,
    surrounding whitespace, ``""`` as 0).

    Raises:
        Eip712Error: not an integer.
    """
    if isinstance(value, bool) or value is None:
        raise Eip712Error(f"{path}: {value!r} is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return 0
        if _JS_DECIMAL.match(text):
            return int(text)
        prefixed = _JS_PREFIXED.match(text)
        if prefixed:
            base = {"x": 16, "o": 8, "b": 2}[prefixed[1].lower()]
            try:
                return int(prefixed[2], base)
            except ValueError:
                pass
    raise Eip712Error(f"{path}: {str(value)[:80]!r} is not an integer")
