"""Merkle tree hashes and proofs of an append-only log (RFC 6962 / RFC 9162, SHA-256).

A log of ``n`` entries ``D[0:n]`` is summarised by its Merkle Tree Hash ``MTH(D[0:n])``:

* ``MTH({}) = SHA-256()`` (the hash of the empty string),
* ``MTH({d0}) = SHA-256(0x00 || d0)`` (leaf hash),
* ``MTH(D[0:n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))`` with ``k`` the largest power of two
  smaller than ``n`` (node hash).

Every left subtree is therefore *perfect*: it covers ``2**level`` leaves starting at a multiple of
``2**level``. This module names such a subtree ``(level, index)``; it covers the leaves
``[index * 2**level, (index + 1) * 2**level)`` and level 0 holds the leaf hashes. A perfect subtree,
once complete, never changes, so a log stores each one once as leaves are appended
(:func:`append_nodes`) and computes the root of *any* earlier size, and the inclusion and consistency
proofs between any sizes, from perfect subtrees only: a proof element that is not perfect (on the
right edge of the tree) is the fold of at most ``log2(n)`` perfect pieces (:func:`subtree_hash`).
An inclusion or consistency proof reads ``O(log n)`` perfect subtrees (never more than
``O(log(n)**2)``); :func:`inclusion_proof_nodes` and :func:`consistency_proof_nodes` list them in
advance, so that a database-backed source can fetch them in one query and serve them through a
:class:`MappingSource`.

Three layers:

* hashing: :func:`leaf_hash`, :func:`node_hash`, :func:`root_hash`;
* proofs from a :class:`SubtreeSource` (anything with a ``perfect(level, index)`` method):
  :func:`subtree_hash`, :func:`inclusion_proof`, :func:`consistency_proof`, with the node plans
  :func:`subtree_nodes`, :func:`inclusion_proof_nodes`, :func:`consistency_proof_nodes`,
  :func:`frontier_nodes` and the append step :func:`append_nodes`;
* verification, which needs no tree at all: :func:`verify_inclusion`, :func:`verify_consistency`
  (the iterative algorithms of RFC 9162; malformed proofs give ``False``, never an exception).

:class:`MemoryTree` is the in-memory source (every completed perfect subtree, per level).

References
----------
.. [1] B. Laurie, A. Langley, E. Kasper, "Certificate Transparency", RFC 6962, IETF, 2013,
   section 2.1 (Merkle Hash Trees), 2.1.1 (Merkle audit paths, ``PATH``), 2.1.2 (Merkle
   consistency proofs, ``PROOF`` / ``SUBPROOF``). https://www.rfc-editor.org/rfc/rfc6962
.. [2] B. Laurie, E. Messeri, R. Stradling, "Certificate Transparency Version 2.0", RFC 9162, IETF,
   2021, section 2.1.3.2 (verifying an inclusion proof) and 2.1.4.2 (verifying consistency between
   two tree heads). https://www.rfc-editor.org/rfc/rfc9162
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, SupportsIndex

from zerocity.errors import ZerocityError

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "MappingSource",
    "MemoryTree",
    "MerkleTreeError",
    "MissingNodeError",
    "NodeRun",
    "SubtreeSource",
    "append_nodes",
    "consistency_proof",
    "consistency_proof_nodes",
    "frontier_nodes",
    "inclusion_proof",
    "inclusion_proof_nodes",
    "leaf_hash",
    "node_hash",
    "root_hash",
    "subtree_hash",
    "subtree_nodes",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE: int = 32
"""Size of every tree hash [bytes] (SHA-256)."""

LEAF_PREFIX = b"\x00"
"""Domain-separation prefix of a leaf hash (RFC 6962 section 2.1)."""

NODE_PREFIX = b"\x01"
"""Domain-separation prefix of an interior node hash (RFC 6962 section 2.1)."""

EMPTY_ROOT: bytes = hashlib.sha256(b"").digest()
"""``MTH({})``: the root of the empty tree, SHA-256 of the empty string."""

_sha256 = hashlib.sha256

NodeId = tuple[int, int]
"""A perfect subtree ``(level, index)``: leaves ``[index * 2**level, (index + 1) * 2**level)``."""


class MerkleTreeError(ZerocityError, ValueError):
    """A request the tree cannot answer: a size, index or range outside the tree, or a malformed hash.

    Raised by the proof *builders* for bad arguments; the verifiers never raise, they return ``False``.
    """

    code = "merkle_tree"


class MissingNodeError(MerkleTreeError, LookupError):
    """A source does not hold the perfect subtree ``(level, index)`` that a computation needs.

    Attributes
    ----------
    level : int
        Level of the missing subtree (0 = leaf hash) [unitless].
    index : int
        Index of the subtree within its level [unitless].
    """

    code = "merkle_missing_node"

    def __init__(self, level: int, index: int, detail: str = "") -> None:
        self.level = level
        self.index = index
        shown = f": {detail}" if detail else ""
        super().__init__(f"perfect subtree (level {level}, index {index}) is not available{shown}")


# --------------------------------------------------------------------------------------------------
# Hashing
# --------------------------------------------------------------------------------------------------


def leaf_hash(leaf: bytes) -> bytes:
    """Hash of one log entry: ``SHA-256(0x00 || leaf)``.

    Parameters
    ----------
    leaf : bytes
        The entry as stored in the log (any length, may be empty).

    Returns
    -------
    bytes
        The leaf hash [HASH_SIZE bytes].

    References
    ----------
    RFC 6962 section 2.1: ``MTH({d(0)}) = SHA-256(0x00 || d(0))``.
    """
    return _sha256(LEAF_PREFIX + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Hash of an interior node: ``SHA-256(0x01 || left || right)``.

    Parameters
    ----------
    left, right : bytes
        Hashes of the left and right subtrees [HASH_SIZE bytes each; not checked here, this is the
        inner loop of every computation].

    Returns
    -------
    bytes
        The node hash [HASH_SIZE bytes].

    References
    ----------
    RFC 6962 section 2.1: ``MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))``.
    """
    return _sha256(NODE_PREFIX + left + right).digest()


def root_hash(leaves: Sequence[bytes]) -> bytes:
    """Merkle Tree Hash ``MTH(D[0:n])`` of raw (unhashed) entries.

    Parameters
    ----------
    leaves : sequence of bytes
        The log entries in order; each is leaf-hashed with :func:`leaf_hash`.

    Returns
    -------
    bytes
        The root [HASH_SIZE bytes]; :data:`EMPTY_ROOT` for no entries.

    References
    ----------
    RFC 6962 section 2.1.
    """
    return MemoryTree(leaf_hash(leaf) for leaf in leaves).root()


# --------------------------------------------------------------------------------------------------
# Sources of perfect subtrees
# --------------------------------------------------------------------------------------------------


class SubtreeSource(Protocol):
    """Anything that returns the hash of a completed perfect subtree."""

    def perfect(self, level: int, index: int) -> bytes:
        """Hash of the perfect subtree covering leaves ``[index * 2**level, (index + 1) * 2**level)``.

        Level 0 is the leaf hash of leaf ``index``. Raises :class:`MissingNodeError` when the subtree is
        not (yet) complete or not held.
        """
        ...


class MappingSource:
    """A :class:`SubtreeSource` over prefetched nodes, e.g. the rows of one database query.

    Typical use by a stored log::

        wanted = inclusion_proof_nodes(index, size)
        rows = fetch(wanted)  # one query: {(level, index): hash}
        proof = inclusion_proof(index, size, MappingSource(rows))

    Parameters
    ----------
    nodes : mapping of (int, int) to bytes
        Perfect subtree hashes by ``(level, index)``.
    """

    def __init__(self, nodes: Mapping[NodeId, bytes]) -> None:
        self._nodes = nodes

    def perfect(self, level: int, index: int) -> bytes:
        """Hash of the perfect subtree ``(level, index)``; :class:`MissingNodeError` if not prefetched."""
        try:
            return self._nodes[(level, index)]
        except KeyError:
            raise MissingNodeError(level, index, "not among the prefetched nodes") from None


# --------------------------------------------------------------------------------------------------
# Plans: which perfect subtrees a computation reads
# --------------------------------------------------------------------------------------------------


def _split(size: int) -> int:
    """Largest power of two strictly smaller than ``size`` (``size >= 2``), the RFC 6962 split ``k``."""
    return 1 << ((size - 1).bit_length() - 1)


def _is_aligned(start: int, size: int) -> bool:
    """Whether ``[start, start + size)`` folds from aligned perfect pieces (start is a multiple of the top piece)."""
    top = 1 << (size.bit_length() - 1)
    return start & (top - 1) == 0


def _aligned_pieces(start: int, size: int) -> list[NodeId]:
    """Perfect pieces of an aligned range, left to right: one per set bit of ``size``, largest first."""
    pieces: list[NodeId] = []
    position = start
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            pieces.append((level, position >> level))
            position += 1 << level
    return pieces


def _check_range(start: int, end: int) -> None:
    if not 0 <= start <= end:
        raise MerkleTreeError(f"leaf range [{start}, {end}) is not a range of a tree (need 0 <= start <= end)")


def subtree_nodes(start: int, end: int) -> list[NodeId]:
    """Perfect subtrees that :func:`subtree_hash` reads for the leaves ``[start, end)``, in reading order.

    When ``[start, end)`` is a node of some Merkle tree (``start`` a multiple of the largest power of
    two not above ``end - start``; every proof element and every root is such a range) these are the
    ``popcount(end - start)`` aligned pieces, largest first; otherwise the range is split as in the
    definition of ``MTH`` (correct, but it may read many more nodes).

    Parameters
    ----------
    start, end : int
        Leaf range, ``0 <= start <= end`` [leaf index].

    Returns
    -------
    list of (int, int)
        ``(level, index)`` pairs; empty for an empty range.
    """
    _check_range(start, end)
    return _subtree_nodes(start, end) if end > start else []


def _subtree_nodes(start: int, end: int) -> list[NodeId]:
    size = end - start
    if _is_aligned(start, size):
        return _aligned_pieces(start, size)
    middle = start + _split(size)
    return _subtree_nodes(start, middle) + _subtree_nodes(middle, end)


def _inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """Leaf ranges whose MTH are the elements of ``PATH(index, D[0:size])``, in proof order (leaf to root)."""
    ranges: list[tuple[int, int]] = []
    start, end = 0, size
    while end - start > 1:
        middle = start + _split(end - start)
        if index < middle:
            ranges.append((middle, end))
            end = middle
        else:
            ranges.append((start, middle))
            start = middle
    ranges.reverse()
    return ranges


def _consistency_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """Leaf ranges whose MTH are the elements of ``PROOF(old_size, D[0:new_size])``, in proof order.

    ``SUBPROOF(m, D[start:end], b)`` of RFC 6962 section 2.1.2, unrolled: descend towards the old
    root collecting siblings, end with the old subtree itself unless it is the old root (``b`` true).
    """
    if old_size == 0 or old_size == new_size:
        return []
    ranges: list[tuple[int, int]] = []
    start, end, is_old_root = 0, new_size, True
    while old_size != end:
        middle = start + _split(end - start)
        if old_size <= middle:
            ranges.append((middle, end))
            end = middle
        else:
            ranges.append((start, middle))
            start = middle
            is_old_root = False
    if not is_old_root:
        ranges.append((start, end))
    ranges.reverse()
    return ranges


def _check_inclusion(index: int, size: int) -> None:
    if not 0 <= index < size:
        raise MerkleTreeError(f"leaf index {index} is not in a tree of size {size} (need 0 <= index < size)")


def _check_consistency(old_size: int, new_size: int) -> None:
    if not 0 <= old_size <= new_size:
        raise MerkleTreeError(
            f"no consistency proof from size {old_size} to size {new_size} (need 0 <= old_size <= new_size)"
        )


def inclusion_proof_nodes(index: int, size: int) -> list[NodeId]:
    """Perfect subtrees that :func:`inclusion_proof` reads, in reading order (each at most once).

    A stored log fetches exactly these ``(level, index)`` rows in one query and passes them to
    :func:`inclusion_proof` through a :class:`MappingSource`. There are at most
    ``2 * ceil(log2(size))`` of them.

    Parameters
    ----------
    index : int
        Leaf index, ``0 <= index < size`` [leaf index].
    size : int
        Tree size [leaves].

    Returns
    -------
    list of (int, int)
        ``(level, index)`` pairs.
    """
    _check_inclusion(index, size)
    return [node for start, end in _inclusion_ranges(index, size) for node in _subtree_nodes(start, end)]


def consistency_proof_nodes(old_size: int, new_size: int) -> list[NodeId]:
    """Perfect subtrees that :func:`consistency_proof` reads, in reading order (each at most once).

    Fetch them in one query and pass them through a :class:`MappingSource`, as for
    :func:`inclusion_proof_nodes`. There are at most ``2 * ceil(log2(new_size))`` of them.

    Parameters
    ----------
    old_size, new_size : int
        Tree sizes, ``0 <= old_size <= new_size`` [leaves].

    Returns
    -------
    list of (int, int)
        ``(level, index)`` pairs; empty when the proof is empty (``old_size`` 0 or equal sizes).
    """
    _check_consistency(old_size, new_size)
    return [node for start, end in _consistency_ranges(old_size, new_size) for node in _subtree_nodes(start, end)]


def frontier_nodes(size: int) -> list[NodeId]:
    """The right-edge perfect subtrees of a tree of ``size`` leaves, largest first.

    They are what :func:`append_nodes` may read and what the root of ``size`` folds
    (``subtree_nodes(0, size)``): one per set bit of ``size``.

    Parameters
    ----------
    size : int
        Tree size [leaves], ``size >= 0``.

    Returns
    -------
    list of (int, int)
        ``(level, index)`` pairs.
    """
    return subtree_nodes(0, size)


# --------------------------------------------------------------------------------------------------
# Hashes and proofs from a source
# --------------------------------------------------------------------------------------------------


def subtree_hash(start: int, end: int, source: SubtreeSource) -> bytes:
    """``MTH(D[start:end])`` folded from perfect subtrees of ``source``.

    For a range that is a node of a Merkle tree (see :func:`subtree_nodes`) the perfect pieces
    ``p1, ..., pk`` (largest first) fold from the right: ``node_hash(p1, node_hash(p2, ... pk))``,
    which is the RFC 6962 recursion with every left part perfect. Other ranges follow the recursion
    of the definition.

    Parameters
    ----------
    start, end : int
        Leaf range, ``0 <= start <= end`` [leaf index].
    source : SubtreeSource
        Holds every perfect subtree inside the range.

    Returns
    -------
    bytes
        ``MTH(D[start:end])`` [HASH_SIZE bytes]; :data:`EMPTY_ROOT` for an empty range.

    References
    ----------
    RFC 6962 section 2.1.
    """
    _check_range(start, end)
    if start == end:
        return EMPTY_ROOT
    return _subtree_hash(start, end, source)


def _subtree_hash(start: int, end: int, source: SubtreeSource) -> bytes:
    size = end - start
    if _is_aligned(start, size):
        hashes = [source.perfect(level, index) for level, index in _aligned_pieces(start, size)]
        result = hashes[-1]
        for left in reversed(hashes[:-1]):
            result = _sha256(NODE_PREFIX + left + result).digest()
        return result
    middle = start + _split(size)
    return node_hash(_subtree_hash(start, middle, source), _subtree_hash(middle, end, source))


def inclusion_proof(index: int, size: int, source: SubtreeSource) -> list[bytes]:
    """Audit path ``PATH(index, D[0:size])``: the sibling hashes from the leaf up to the root.

    Parameters
    ----------
    index : int
        Leaf index, ``0 <= index < size`` [leaf index].
    size : int
        Tree size the proof is for; any size the source covers, not only the latest [leaves].
    source : SubtreeSource
        Holds the perfect subtrees listed by :func:`inclusion_proof_nodes`.

    Returns
    -------
    list of bytes
        ``ceil(log2(size))`` hashes at most; empty for a tree of one leaf.

    Raises
    ------
    MerkleTreeError
        ``index`` outside ``[0, size)``.

    References
    ----------
    RFC 6962 section 2.1.1.
    """
    _check_inclusion(index, size)
    return [_subtree_hash(start, end, source) for start, end in _inclusion_ranges(index, size)]


def consistency_proof(old_size: int, new_size: int, source: SubtreeSource) -> list[bytes]:
    """Consistency proof ``PROOF(old_size, D[0:new_size])`` that the old tree is a prefix of the new one.

    Parameters
    ----------
    old_size, new_size : int
        Tree sizes, ``0 <= old_size <= new_size`` [leaves].
    source : SubtreeSource
        Holds the perfect subtrees listed by :func:`consistency_proof_nodes`.

    Returns
    -------
    list of bytes
        The proof hashes; empty when ``old_size`` is 0 (the empty tree is a prefix of every tree) or
        equals ``new_size``.

    Raises
    ------
    MerkleTreeError
        Sizes outside ``0 <= old_size <= new_size``.

    References
    ----------
    RFC 6962 section 2.1.2 (``PROOF`` and ``SUBPROOF``).
    """
    _check_consistency(old_size, new_size)
    return [_subtree_hash(start, end, source) for start, end in _consistency_ranges(old_size, new_size)]


@dataclass(frozen=True)
class NodeRun:
    """Consecutive perfect subtrees of one level completed by an append.

    Attributes
    ----------
    level : int
        Level of the subtrees (0 = leaf hashes) [unitless].
    start : int
        Index of the first subtree in the level; ``hashes[j]`` is ``(level, start + j)`` [unitless].
    hashes : list of bytes
        Subtree hashes [HASH_SIZE bytes each].
    """

    level: int
    start: int
    hashes: list[bytes]

    def nodes(self) -> list[tuple[int, int, bytes]]:
        """The run as ``(level, index, hash)`` rows, e.g. for a database insert."""
        return [(self.level, self.start + offset, digest) for offset, digest in enumerate(self.hashes)]


def _checked_leaf_hashes(leaf_hashes: Iterable[bytes], first_index: int) -> list[bytes]:
    checked: list[bytes] = []
    for position, digest in enumerate(leaf_hashes):
        if type(digest) is not bytes:
            if not isinstance(digest, bytes | bytearray | memoryview):
                raise MerkleTreeError(
                    f"leaf hash of leaf {first_index + position} is a {type(digest).__name__}, not bytes"
                )
            digest = bytes(digest)
        if len(digest) != HASH_SIZE:
            raise MerkleTreeError(
                f"leaf hash of leaf {first_index + position} has {len(digest)} bytes, expected {HASH_SIZE}"
            )
        checked.append(digest)
    return checked


def append_nodes(size: int, leaf_hashes: Iterable[bytes], source: SubtreeSource) -> list[NodeRun]:
    """Every perfect subtree completed by appending ``leaf_hashes`` to a tree of ``size`` leaves.

    The new leaves are level-0 subtrees ``size, size + 1, ...``; a node at level ``L + 1`` is completed
    when both its children are. Of the old tree only the right-edge subtrees (:func:`frontier_nodes`
    of ``size``) can be a left child of a new node, so ``source`` needs to hold only those. Cost:
    one :func:`node_hash` per new node, fewer than the number of new leaves in total.

    Parameters
    ----------
    size : int
        Number of leaves already in the tree [leaves], ``size >= 0``.
    leaf_hashes : iterable of bytes
        Leaf hashes (:func:`leaf_hash` of each entry) to append, in order [HASH_SIZE bytes each].
    source : SubtreeSource
        The tree so far (at least its frontier).

    Returns
    -------
    list of NodeRun
        One run per level that gained subtrees, level 0 first; run ``L`` starts at index ``size >> L``.
        Empty when ``leaf_hashes`` is empty.

    Raises
    ------
    MerkleTreeError
        A leaf hash that is not ``HASH_SIZE`` bytes, or a negative ``size``.
    """
    if size < 0:
        raise MerkleTreeError(f"tree size {size} is negative")
    items = _checked_leaf_hashes(leaf_hashes, size)
    runs: list[NodeRun] = []
    level, first = 0, size
    while items:
        runs.append(NodeRun(level, first, items))
        if first & 1:
            items = [source.perfect(level, first - 1), *items]
            first -= 1
        even = len(items) & ~1
        items = [
            _sha256(NODE_PREFIX + left + right).digest()
            for left, right in zip(items[0:even:2], items[1:even:2], strict=True)
        ]
        level += 1
        first >>= 1
    return runs


# --------------------------------------------------------------------------------------------------
# In-memory tree
# --------------------------------------------------------------------------------------------------


class MemoryTree:
    """An append-only Merkle tree in memory, keeping every completed perfect subtree hash per level.

    Level ``L`` holds ``size >> L`` hashes; all levels together hold fewer than ``2 * size`` hashes.
    Roots and proofs of any size up to :attr:`size` are available at any time.

    Parameters
    ----------
    leaf_hashes : iterable of bytes, optional
        Initial leaf hashes (:func:`leaf_hash` of each entry) [HASH_SIZE bytes each].

    Examples
    --------
    >>> tree = MemoryTree(leaf_hash(bytes([i])) for i in range(5))
    >>> proof = tree.inclusion_proof(3)
    >>> verify_inclusion(tree.perfect(0, 3), 3, tree.size, proof, tree.root())
    True
    """

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._levels: list[list[bytes]] = [[]]
        self.append(leaf_hashes)

    def append(self, leaf_hashes: Iterable[bytes]) -> None:
        """Append leaf hashes and complete the perfect subtrees they close (amortised O(1) per leaf).

        Parameters
        ----------
        leaf_hashes : iterable of bytes
            Leaf hashes in order [HASH_SIZE bytes each]. Nothing is appended if one is malformed.

        Raises
        ------
        MerkleTreeError
            A leaf hash that is not ``HASH_SIZE`` bytes.
        """
        for run in append_nodes(self.size, leaf_hashes, self):
            if run.level == len(self._levels):
                self._levels.append([])
            self._levels[run.level].extend(run.hashes)

    @property
    def size(self) -> int:
        """Number of leaves [leaves]."""
        return len(self._levels[0])

    def perfect(self, level: int, index: int) -> bytes:
        """Hash of the completed perfect subtree ``(level, index)`` (level 0: leaf hash of leaf ``index``).

        Raises
        ------
        MissingNodeError
            The subtree is not complete at the current size.
        """
        if level < 0 or index < 0 or level >= len(self._levels) or index >= len(self._levels[level]):
            raise MissingNodeError(level, index, f"not complete in a tree of size {self.size}")
        return self._levels[level][index]

    def _size_or_current(self, size: int | None) -> int:
        if size is None:
            return self.size
        if not 0 <= size <= self.size:
            raise MerkleTreeError(f"tree size {size} is not between 0 and the current size {self.size}")
        return size

    def root(self, size: int | None = None) -> bytes:
        """``MTH`` of the first ``size`` leaves (default: all) [HASH_SIZE bytes]."""
        return subtree_hash(0, self._size_or_current(size), self)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """Audit path of leaf ``index`` in the tree of the first ``size`` leaves (default: all).

        See :func:`inclusion_proof`.
        """
        return inclusion_proof(index, self._size_or_current(size), self)

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """Consistency proof from ``old_size`` to ``new_size`` leaves (default: all).

        See :func:`consistency_proof`.
        """
        return consistency_proof(old_size, self._size_or_current(new_size), self)


# --------------------------------------------------------------------------------------------------
# Verification (RFC 9162): never raises on bad proof data
# --------------------------------------------------------------------------------------------------


def _as_count(value: object) -> int | None:
    """``value`` as a non-negative int (``operator.index``), or None for anything else."""
    if isinstance(value, bool) or not isinstance(value, SupportsIndex):
        return None
    try:
        count = operator.index(value)
    except TypeError:
        return None
    return count if count >= 0 else None


def _proof_hashes(proof: object) -> list[bytes] | None:
    """The proof as a list of hashes, or None when it is not a sequence of HASH_SIZE-byte values."""
    if isinstance(proof, bytes | bytearray | str):
        return None
    try:
        path = list(proof)  # type: ignore[call-overload]
    except TypeError:
        return None
    return path if all(_is_hash(element) for element in path) else None


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes | bytearray) and len(value) == HASH_SIZE


def verify_inclusion(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """Whether ``proof`` shows that ``leaf_hash`` is leaf ``index`` of the tree of ``size`` leaves with ``root``.

    RFC 9162 section 2.1.3.2, step by step, after checking the input is well formed: every hash
    ``HASH_SIZE`` bytes, ``0 <= index < size``. A proof of the wrong length, a wrong hash anywhere, or
    any malformed input gives ``False``; nothing raises.

    Note: a proof authenticates the leaf against the *root*; the size is authenticated by the signed
    tree head that carries ``(size, root)``. Verify against such a pair.

    Parameters
    ----------
    leaf_hash : bytes
        :func:`leaf_hash` of the entry [HASH_SIZE bytes].
    index : int
        Leaf index [leaf index].
    size : int
        Tree size [leaves].
    proof : sequence of bytes
        Audit path, leaf to root [HASH_SIZE bytes each].
    root : bytes
        Root of the tree of ``size`` leaves [HASH_SIZE bytes].

    Returns
    -------
    bool

    References
    ----------
    RFC 9162 section 2.1.3.2 (verifying an inclusion proof).
    """
    index_ = _as_count(index)
    size_ = _as_count(size)
    if index_ is None or size_ is None or index_ >= size_:
        return False
    path = _proof_hashes(proof)
    if path is None or not (_is_hash(leaf_hash) and _is_hash(root)):
        return False
    fn, sn = index_, size_ - 1
    result = bytes(leaf_hash)
    for sibling in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            result = _sha256(NODE_PREFIX + sibling + result).digest()
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            result = _sha256(NODE_PREFIX + result + sibling).digest()
        fn >>= 1
        sn >>= 1
    return sn == 0 and result == root


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    """Whether ``proof`` shows that the tree (``old_size``, ``old_root``) is a prefix of (``new_size``, ``new_root``).

    RFC 9162 section 2.1.4.2, step by step, for ``0 < old_size < new_size``. The two cases the RFC
    algorithm does not cover have an empty proof: ``old_size == new_size`` holds when the roots are
    equal; ``old_size == 0`` holds when ``old_root`` is :data:`EMPTY_ROOT` (the empty tree is a prefix
    of every tree). Sizes with ``old_size > new_size``, negative sizes, hashes of the wrong length, a
    proof of the wrong length or a wrong hash anywhere give ``False``; nothing raises.

    Parameters
    ----------
    old_size, new_size : int
        Tree sizes [leaves].
    old_root, new_root : bytes
        Roots of the two trees [HASH_SIZE bytes each].
    proof : sequence of bytes
        Consistency proof [HASH_SIZE bytes each].

    Returns
    -------
    bool

    References
    ----------
    RFC 9162 section 2.1.4.2 (verifying consistency between two tree heads).
    """
    first = _as_count(old_size)
    second = _as_count(new_size)
    if first is None or second is None or first > second:
        return False
    path = _proof_hashes(proof)
    if path is None or not (_is_hash(old_root) and _is_hash(new_root)):
        return False
    if first == 0:
        return not path and old_root == EMPTY_ROOT
    if first == second:
        return not path and old_root == new_root
    # 1. An empty path fails.
    if not path:
        return False
    # 2. If first is an exact power of 2, prepend first_hash.
    if first & (first - 1) == 0:
        path.insert(0, bytes(old_root))
    # 3. fn = first - 1, sn = second - 1.
    fn, sn = first - 1, second - 1
    # 4. While LSB(fn) is set, right-shift fn and sn.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5. fr = sr = the first path element.
    fr = sr = bytes(path[0])
    # 6. For each subsequent element c:
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = _sha256(NODE_PREFIX + c + fr).digest()
            sr = _sha256(NODE_PREFIX + c + sr).digest()
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = _sha256(NODE_PREFIX + sr + c).digest()
        fn >>= 1
        sn >>= 1
    # 7. fr must equal first_hash, sr second_hash, and sn must be 0.
    return sn == 0 and fr == old_root and sr == new_root
