"""Errors of the storage layer.

Every error :mod:`zerocity.store` raises on purpose is a :class:`StoreError`, itself a
:class:`~zerocity.errors.ZerocityError`, so shells (CLI, API) report it in one place.
"""

from __future__ import annotations

from zerocity.errors import ZerocityError

__all__ = ["AlreadyExistsError", "NotFoundError", "StoreError"]


class StoreError(ZerocityError):
    """A storage operation that cannot be done (bad input to store, conflicting data)."""

    code = "store"


class NotFoundError(StoreError, LookupError):
    """No stored object matches a request; the message names the id or name looked for."""

    code = "not_found"


class AlreadyExistsError(StoreError):
    """An object with the same identity (e.g. factor set name and version) is already stored."""

    code = "already_exists"
