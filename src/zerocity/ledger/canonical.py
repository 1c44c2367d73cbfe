r"""Canonical JSON (RFC 8785, JCS) of ledger entries, and the SHA-256 digests the ledger uses.

An entry is hashed and signed as the bytes of its canonical form, so any two programs that agree
on the data agree on the bytes: object members sorted by the UTF-16 code units of their names, no
whitespace, numbers written as ECMAScript writes them, strings escaped minimally, UTF-8 out. The
serialisation itself is the ``rfc8785`` package; this module decides what may go in and says
where a value that has no canonical form sits (``payload.rows[3].amount: NaN is not allowed``).

What goes in
------------
- ``None``, ``bool``, ``str``, ``int``, ``float``, ``list``/``tuple`` (arrays) and mappings with
  ``str`` keys (objects). Subclasses count as their base type (``IntEnum``, ``StrEnum``).
- numpy integer, floating and bool scalars, converted to Python numbers first (the platform's
  results hold them). ``np.float32(0.1)`` is written as the exact value it holds,
  ``0.10000000149011612``. Extended precision (``np.longdouble`` wider than 64 bits) is refused:
  converting it would round silently.

What is refused
---------------
- NaN and infinities (:class:`CanonicalJSONError`): JSON has no such numbers (RFC 8785 3.2.2.3).
- Integers outside ``[-(2**53 - 1), 2**53 - 1]`` (:class:`CanonicalJSONError`): JCS writes
  numbers as IEEE 754 doubles (I-JSON, RFC 7493 2.2), where larger integers lose digits;
  ``rfc8785`` raises ``IntegerDomainError`` for them. Put such numbers in strings (RFC 8785
  Appendix D). A *float* of that size is fine (``2.0**53`` is written ``9007199254740992``):
  it is already a double.
- Text with lone surrogates (``"\ud800"``, :class:`CanonicalJSONError`): not Unicode, no UTF-8.
- Object keys that are not strings (:class:`CanonicalJSONTypeError`): ``{1: ...}`` and
  ``{"1": ...}`` would collide.
- Everything else (:class:`CanonicalJSONTypeError`): ``Decimal``, ``datetime``, sets, bytes,
  numpy arrays, plain ``Enum`` members... Convert them explicitly to one of the types above
  (``str(decimal)`` or ``float(decimal)``, ``isoformat()``, sorted lists, ``tolist()``), so
  that the choice of representation is the caller's and stays visible in the entry.
- Circular containers (:class:`CanonicalJSONError`).

References
----------
A. Rundgren, B. Jordan, S. Erdtman, "JSON Canonicalization Scheme (JCS)", RFC 8785, 2020.
T. Bray, "The I-JSON Message Format", RFC 7493, 2015, section 2.2.
NIST FIPS 180-4, Secure Hash Standard (SHA-256).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import rfc8785

from zerocity.errors import ZerocityError

__all__ = [
    "MAX_SAFE_INTEGER",
    "CanonicalJSONError",
    "CanonicalJSONTypeError",
    "bytes_sha256",
    "canonical_hash",
    "canonical_json",
    "file_sha256",
]

#: Largest integer magnitude JCS accepts, ``2**53 - 1``: beyond it an IEEE 754 double cannot
#: hold every integer exactly (RFC 7493 section 2.2).
MAX_SAFE_INTEGER = 2**53 - 1
#: Read size of :func:`file_sha256` [bytes].
DEFAULT_CHUNK = 1 << 20

_ROOT = "<root>"
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")


class CanonicalJSONError(ZerocityError, ValueError):
    """A value that has no RFC 8785 canonical form.

    Attributes
    ----------
    path : str
        Where the value sits, e.g. ``payload.rows[3].amount`` (empty for the value itself).
    """

    code = "canonical_json"

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path or _ROOT}: {message}")
        self.path = path


class CanonicalJSONTypeError(CanonicalJSONError, TypeError):
    """A value of a type canonical JSON does not take (also a :class:`TypeError`)."""

    code = "canonical_json_type"


def canonical_json(value: Any) -> bytes:
    """The RFC 8785 (JCS) canonical form of a JSON value.

    Parameters
    ----------
    value : Any
        None, bool, str, int, float, list/tuple, mapping with str keys, nested; numpy
        integer, floating and bool scalars are converted to Python numbers.

    Returns
    -------
    bytes
        UTF-8 JSON text: members sorted by UTF-16 code units of their names (RFC 8785 3.2.3),
        numbers as ECMAScript ``Number.prototype.toString`` (3.2.2.3), no whitespace.

    Raises
    ------
    CanonicalJSONError
        NaN or infinity, an integer beyond ``±(2**53 - 1)``, a lone surrogate, a cycle; the
        message starts with the path of the value.
    CanonicalJSONTypeError
        A non-string object key or a value of an unsupported type (path in the message).
    """
    walk = _Walk()
    plain = walk.plain(value, "")
    if walk.stdlib_agrees:
        # The C-accelerated json encoder writes the same bytes as JCS for this value (see _Walk).
        return json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()
    return rfc8785.dumps(plain)


def canonical_hash(value: Any) -> str:
    """SHA-256 of the canonical form of a JSON value.

    Parameters
    ----------
    value : Any
        Value accepted by :func:`canonical_json`.

    Returns
    -------
    str
        Lowercase hex digest of ``canonical_json(value)`` (64 characters).
    """
    return bytes_sha256(canonical_json(value))


def bytes_sha256(data: bytes) -> str:
    """SHA-256 of bytes.

    Parameters
    ----------
    data : bytes
        Bytes (or any bytes-like object) to hash.

    Returns
    -------
    str
        Lowercase hex digest (64 characters).
    """
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: str | os.PathLike[str], chunk: int = DEFAULT_CHUNK) -> str:
    """SHA-256 of a file's contents, read in chunks (constant memory).

    Parameters
    ----------
    path : str or os.PathLike
        File to hash.
    chunk : int
        Read size [bytes], positive.

    Returns
    -------
    str
        Lowercase hex digest (64 characters); equal to :func:`bytes_sha256` of the whole file.

    Raises
    ------
    ValueError
        ``chunk`` is not positive.
    OSError
        The file cannot be read.
    """
    if chunk <= 0:
        raise ValueError(f"chunk must be a positive number of bytes, got {chunk}")
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


class _Walk:
    r"""One pass over a value: a plain-JSON copy, checked, and whether ``json.dumps`` agrees with JCS.

    ``json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)`` writes what RFC 8785
    writes when (a) object keys have no character above U+FFFF (Python sorts by code point, JCS by
    UTF-16 code unit; they agree on the Basic Multilingual Plane), (b) every non-integral float
    lies in 1e-4 <= |x| < 1e16 (both then print the shortest round-trip digits without exponent)
    and (c) integral floats are written as integers (JCS prints 4.0 as 4; the copy holds int(4.0)).
    Strings are escaped alike (quote, backslash, control characters with the short forms and
    lowercase \u00XX). Otherwise the reference encoder (``rfc8785``) writes the value.
    """

    def __init__(self) -> None:
        self.stdlib_agrees = True
        self.open_containers: set[int] = set()

    def plain(self, value: Any, path: str) -> Any:
        """A copy of ``value`` in plain JSON types, checked for what JCS cannot write."""
        if value is None or value is True or value is False:
            return value
        if isinstance(value, np.bool_):
            return bool(value)
        if isinstance(value, str):
            return _text(value, path)
        if isinstance(value, np.integer):
            value = int(value)
        elif isinstance(value, np.floating):
            if value.dtype.itemsize > np.dtype(np.float64).itemsize:
                raise CanonicalJSONTypeError(
                    path, f"{type(value).__name__} has more precision than JSON numbers; convert it to float or str"
                )
            value = float(value)
        if isinstance(value, int):
            return _integer(value, path)
        if isinstance(value, float):
            number = _number(value, path)
            if number.is_integer() and abs(number) <= MAX_SAFE_INTEGER:
                return int(number)  # JCS writes an integral number without a fraction
            if number.is_integer() or not 1e-4 <= abs(number) < 1e16:
                self.stdlib_agrees = False
            return number
        if isinstance(value, Mapping | list | tuple):
            # Ids of the containers on the way from the root (a container shared by two branches is
            # not a cycle).
            if id(value) in self.open_containers:
                raise CanonicalJSONError(path, "circular reference: the container contains itself")
            self.open_containers.add(id(value))
            try:
                if isinstance(value, Mapping):
                    return self.object(value, path)
                return [self.plain(item, f"{path}[{index}]") for index, item in enumerate(value)]
            finally:
                self.open_containers.discard(id(value))
        raise CanonicalJSONTypeError(path, _unsupported(value))

    def object(self, value: Mapping[Any, Any], path: str) -> dict[str, Any]:
        """An object's members, keys checked."""
        members: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalJSONTypeError(
                    path, f"object key {key!r} ({type(key).__name__}) is not a string; JSON keys must be text"
                )
            name = _text(key, path)
            if name and max(name) > "\uffff":
                self.stdlib_agrees = False
            members[name] = self.plain(item, _member_path(path, name))
        return members


def _text(value: str, path: str) -> str:
    text = str.__str__(value)  # the characters of a str subclass (StrEnum, np.str_) as a plain str
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = text[exc.start]
        raise CanonicalJSONError(
            path, f"text {text!r} contains a lone surrogate U+{ord(bad):04X}, which is not Unicode"
        ) from None
    return text


def _integer(value: int, path: str) -> int:
    number = int(value)  # IntEnum and other int subclasses as a plain int
    if not -MAX_SAFE_INTEGER <= number <= MAX_SAFE_INTEGER:
        raise CanonicalJSONError(
            path,
            f"integer {number} is outside the range JSON numbers hold exactly, ±(2**53 - 1) "
            "(RFC 7493 2.2); store it as a string (RFC 8785 Appendix D)",
        )
    return number


def _number(value: float, path: str) -> float:
    number = float(value)
    if math.isnan(number):
        raise CanonicalJSONError(path, "NaN is not allowed in canonical JSON")
    if math.isinf(number):
        sign = "-" if number < 0 else ""
        raise CanonicalJSONError(path, f"{sign}Infinity is not allowed in canonical JSON")
    return number


def _member_path(path: str, name: str) -> str:
    if _PLAIN_KEY.fullmatch(name):
        return f"{path}.{name}" if path else name
    return f"{path}[{json.dumps(name, ensure_ascii=False)}]"


def _unsupported(value: Any) -> str:
    kind = type(value).__qualname__
    if isinstance(value, np.ndarray):
        hint = "convert it with .tolist()"
    elif isinstance(value, set | frozenset):
        hint = "sets have no order; convert it to a sorted list"
    elif isinstance(value, bytes | bytearray | memoryview):
        hint = "encode it as text (hex or base64) or hash it"
    else:
        hint = "convert it to str, int, float, bool, None, a list or a dict first"
    return f"{kind} is not supported in canonical JSON; {hint}"
