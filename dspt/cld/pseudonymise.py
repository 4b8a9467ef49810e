"""Keyed pseudonyms: HMAC-SHA-256 with the processor's secret, expressed so SQL engines can compute it.

HMAC(K, m) = SHA256((K0 xor opad) || SHA256((K0 xor ipad) || m)), where K0 is the key padded with
zeros to SHA-256's 64-byte block (or hashed first when longer). The two padded keys are computed
here and handed to the engine as a one-row table of binary values, never as SQL text, so the key
does not appear in query strings, plans or logs. The key itself is read from DSPT_PSEUDONYM_KEY
(hex) or from the file named by DSPT_PSEUDONYM_KEY_FILE, and is never printed or stored.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

BLOCK = 64


class PseudonymKeyError(Exception):
    """No usable pseudonymisation key. The message never contains key material."""


@dataclass(frozen=True)
class PaddedKey:
    """The inner and outer padded keys. `repr` is redacted so it cannot leak through logging."""

    ipad: bytes
    opad: bytes

    def __repr__(self) -> str:
        return "PaddedKey(<redacted>)"

    __str__ = __repr__


def load_key(environ: dict[str, str] | None = None) -> bytes:
    """The secret key from the environment (hex) or a key file (hex text, or raw bytes)."""
    env = os.environ if environ is None else environ
    raw = env.get("DSPT_PSEUDONYM_KEY", "").strip()
    source = "DSPT_PSEUDONYM_KEY"
    if not raw and env.get("DSPT_PSEUDONYM_KEY_FILE"):
        path = Path(env["DSPT_PSEUDONYM_KEY_FILE"])
        source = "DSPT_PSEUDONYM_KEY_FILE"
        try:
            data = path.read_bytes()
        except OSError:
            raise PseudonymKeyError(f"{source} names a file that cannot be read") from None
        try:
            raw = data.decode("ascii").strip()
        except UnicodeDecodeError:
            return _checked(data, source)
    if not raw:
        raise PseudonymKeyError(
            "No pseudonymisation key: set DSPT_PSEUDONYM_KEY (hex) or DSPT_PSEUDONYM_KEY_FILE"
        )
    try:
        key = bytes.fromhex(raw)
    except ValueError:
        raise PseudonymKeyError(f"{source} must be hexadecimal") from None
    return _checked(key, source)


def _checked(key: bytes, source: str) -> bytes:
    if len(key) < 16:
        raise PseudonymKeyError(f"{source} is too short: use at least 16 bytes (32 hex digits)")
    return key


def pad_key(key: bytes) -> PaddedKey:
    if len(key) > BLOCK:
        key = hashlib.sha256(key).digest()
    k0 = key.ljust(BLOCK, b"\0")
    return PaddedKey(bytes(b ^ 0x36 for b in k0), bytes(b ^ 0x5C for b in k0))


def derive_recipient_key(key: bytes, recipient: str) -> bytes:
    """A per-recipient key, so two recipients' extracts cannot be joined without the processor."""
    return hmac.new(
        key, b"dspt-cld-recipient:" + recipient.encode("utf-8"), hashlib.sha256
    ).digest()


def pseudonym(key: bytes, value: str) -> str:
    """The reference implementation the SQL engines must agree with (lowercase hex)."""
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()
