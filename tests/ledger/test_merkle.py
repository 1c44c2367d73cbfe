"""Tests of :mod:`zerocity.ledger.merkle`.

Three kinds of evidence:

1. Published test vectors of the Go reference implementation (transparency-dev/merkle, the
   successor of the certificate-transparency-go / Trillian Merkle code), copied verbatim with the
   file and commit they come from. Hashes are exact: no tolerance.
2. A straightforward reference implementation of RFC 6962 section 2.1 written here (recursive
   ``MTH``, ``PATH``, ``PROOF`` / ``SUBPROOF`` on lists of entries, exactly as the pseudo-code),
   compared with the module for every index and every pair of sizes up to 64, and for sampled
   indices and sizes up to 2000 (fixed seed).
3. Tampering: every proof must verify, and flipped bits, wrong indices, sizes and roots, and
   malformed inputs must make the verifiers return False (never raise).
"""

from __future__ import annotations

import functools
import hashlib
import random
from collections.abc import Callable, Iterator

import pytest

from zerocity.ledger.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    MappingSource,
    MemoryTree,
    MerkleTreeError,
    MissingNodeError,
    append_nodes,
    consistency_proof,
    consistency_proof_nodes,
    frontier_nodes,
    inclusion_proof,
    inclusion_proof_nodes,
    leaf_hash,
    node_hash,
    root_hash,
    subtree_hash,
    subtree_nodes,
    verify_consistency,
    verify_inclusion,
)

# ------------------------------------------------------------------------------------------------
# Published vectors
# ------------------------------------------------------------------------------------------------
# transparency-dev/merkle, testonly/constants.go (commit 77f1b57d7aa25fcd2e51273166b6b2b0e74923b1):
# LeafInputs(), NodeHashes() and RootHashes().
LEAF_INPUTS = [
    bytes.fromhex(h)
    for h in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
]
NODE_HASHES = [
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ],
    [
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    ],
    [
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
]
ROOTS = [  # indexed by tree size, 0..8
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]

# (index, size, proof). transparency-dev/merkle testonly/reference_test.go, TestRefInclusionProof (commit
# 582a6ad190b6848f1d26f8bf08ddef29955d9db1), and log_verifier_test.go `inclusionProofs` (commit
# 0ef2aa15996f92c07e4325d69517e8e1a04718f4; its leaf numbers are 1-based, converted here to 0-based indices).
INCLUSION_VECTORS = [
    (0, 1, []),
    (0, 2, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"]),
    (1, 2, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]

# (old_size, new_size, proof). Same two files: TestRefConsistencyProof and `consistencyProofs`.
CONSISTENCY_VECTORS = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]

# Which stored nodes a proof reads: transparency-dev/merkle proof/proof_test.go, TestInclusion and
# TestConsistency (commit 02a3e2029520f515596d5238c54fb0ac9e19bff4), with compact.NewNodeID(level, index).
# That code also reads only perfect subtrees and rehashes the right-edge ones; it lists a rehashed group
# right to left, so the node lists are compared as sets (each node is read once).
INCLUSION_NODE_VECTORS = [
    (0, 1, []),
    (0, 2, [(0, 1)]),
    (1, 2, [(0, 0)]),
    (1, 3, [(0, 0), (0, 2)]),
    (0, 7, [(0, 1), (1, 1), (0, 6), (1, 2)]),
    (1, 7, [(0, 0), (1, 1), (0, 6), (1, 2)]),
    (2, 7, [(0, 3), (1, 0), (0, 6), (1, 2)]),
    (3, 7, [(0, 2), (1, 0), (0, 6), (1, 2)]),
    (4, 7, [(0, 5), (0, 6), (2, 0)]),
    (5, 7, [(0, 4), (0, 6), (2, 0)]),
    (6, 7, [(1, 2), (2, 0)]),
    (2, 4, [(0, 3), (1, 0)]),
    (3, 5, [(0, 2), (1, 0), (0, 4)]),
    (3, 6, [(0, 2), (1, 0), (1, 2)]),
    (4, 6, [(0, 5), (2, 0)]),
    (10, 15, [(0, 11), (1, 4), (0, 14), (1, 6), (3, 0)]),
    (24, 31, [(0, 25), (1, 13), (0, 30), (1, 14), (3, 2), (4, 0)]),
    (81, 95, [(0, 80), (1, 41), (2, 21), (0, 94), (1, 46), (2, 22), (4, 4), (6, 0)]),
]
CONSISTENCY_NODE_VECTORS = [
    (1, 2, [(0, 1)]),
    (1, 4, [(0, 1), (1, 1)]),
    (1, 6, [(0, 1), (1, 1), (1, 2)]),
    (2, 3, [(0, 2)]),
    (2, 8, [(1, 1), (2, 1)]),
    (3, 7, [(0, 2), (0, 3), (1, 0), (0, 6), (1, 2)]),
    (4, 7, [(0, 6), (1, 2)]),
    (5, 7, [(0, 4), (0, 5), (0, 6), (2, 0)]),
    (6, 7, [(1, 2), (0, 6), (2, 0)]),
    (7, 8, [(0, 6), (0, 7), (1, 2), (2, 0)]),
    *[(size, size, []) for size in (1, 2, 3, 4, 5, 7, 8)],
    (2, 4, [(1, 1)]),
    (3, 5, [(0, 2), (0, 3), (1, 0), (0, 4)]),
    (3, 6, [(0, 2), (0, 3), (1, 0), (1, 2)]),
    (4, 6, [(1, 2)]),
    (1, 7, [(0, 1), (1, 1), (0, 6), (1, 2)]),
    (10, 15, [(1, 4), (1, 5), (0, 14), (1, 6), (3, 0)]),
    (24, 31, [(3, 2), (0, 30), (1, 14), (2, 6), (4, 0)]),
    (81, 95, [(0, 80), (0, 81), (1, 41), (2, 21), (0, 94), (1, 46), (2, 22), (4, 4), (6, 0)]),
]


def _hexes(values: list[bytes]) -> list[str]:
    return [value.hex() for value in values]


def _vector_tree() -> MemoryTree:
    return MemoryTree(leaf_hash(leaf) for leaf in LEAF_INPUTS)


def test_empty_root_is_sha256_of_nothing() -> None:
    assert hashlib.sha256(b"").digest() == EMPTY_ROOT
    assert root_hash([]) == EMPTY_ROOT
    assert MemoryTree().root() == EMPTY_ROOT
    assert HASH_SIZE == 32


def test_leaf_and_node_hash_use_the_rfc_prefixes() -> None:
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    left, right = leaf_hash(b"l"), leaf_hash(b"r")
    assert node_hash(left, right) == hashlib.sha256(b"\x01" + left + right).digest()


@pytest.mark.parametrize("size", range(9))
def test_published_roots(size: int) -> None:
    assert root_hash(LEAF_INPUTS[:size]).hex() == ROOTS[size]
    assert _vector_tree().root(size).hex() == ROOTS[size]


def test_published_perfect_subtree_hashes() -> None:
    tree = _vector_tree()
    for level, hashes in enumerate(NODE_HASHES):
        assert [tree.perfect(level, index).hex() for index in range(len(hashes))] == hashes


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION_VECTORS)
def test_published_inclusion_proofs(index: int, size: int, proof: list[str]) -> None:
    tree = _vector_tree()
    assert _hexes(tree.inclusion_proof(index, size)) == proof
    assert verify_inclusion(leaf_hash(LEAF_INPUTS[index]), index, size, [bytes.fromhex(h) for h in proof],
                            bytes.fromhex(ROOTS[size]))  # fmt: skip


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY_VECTORS)
def test_published_consistency_proofs(old: int, new: int, proof: list[str]) -> None:
    tree = _vector_tree()
    assert _hexes(tree.consistency_proof(old, new)) == proof
    assert verify_consistency(old, new, bytes.fromhex(ROOTS[old]), bytes.fromhex(ROOTS[new]),
                              [bytes.fromhex(h) for h in proof])  # fmt: skip


@pytest.mark.parametrize(("index", "size", "nodes"), INCLUSION_NODE_VECTORS)
def test_published_inclusion_node_plans(index: int, size: int, nodes: list[tuple[int, int]]) -> None:
    assert sorted(inclusion_proof_nodes(index, size)) == sorted(nodes)


@pytest.mark.parametrize(("old", "new", "nodes"), CONSISTENCY_NODE_VECTORS)
def test_published_consistency_node_plans(old: int, new: int, nodes: list[tuple[int, int]]) -> None:
    assert sorted(consistency_proof_nodes(old, new)) == sorted(nodes)


# ------------------------------------------------------------------------------------------------
# Reference implementation: RFC 6962 section 2.1, 2.1.1, 2.1.2 as written
# ------------------------------------------------------------------------------------------------
def ref_split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(entries: list[bytes]) -> bytes:
    if not entries:
        return hashlib.sha256(b"").digest()
    if len(entries) == 1:
        return hashlib.sha256(b"\x00" + entries[0]).digest()
    k = ref_split(len(entries))
    return hashlib.sha256(b"\x01" + ref_mth(entries[:k]) + ref_mth(entries[k:])).digest()


def ref_path(m: int, entries: list[bytes]) -> list[bytes]:
    n = len(entries)
    if n == 1:
        return []
    k = ref_split(n)
    if m < k:
        return [*ref_path(m, entries[:k]), ref_mth(entries[k:])]
    return [*ref_path(m - k, entries[k:]), ref_mth(entries[:k])]


def ref_subproof(m: int, entries: list[bytes], complete: bool) -> list[bytes]:
    n = len(entries)
    if m == n:
        return [] if complete else [ref_mth(entries)]
    k = ref_split(n)
    if m <= k:
        return [*ref_subproof(m, entries[:k], complete), ref_mth(entries[k:])]
    return [*ref_subproof(m - k, entries[k:], False), ref_mth(entries[:k])]


def ref_proof(m: int, entries: list[bytes]) -> list[bytes]:
    return ref_subproof(m, entries, True)


def entries_for(n: int) -> list[bytes]:
    return [f"entry {i}".encode() for i in range(n)]


SMALL = 64
SMALL_ENTRIES = entries_for(SMALL)
SMALL_TREE = MemoryTree(leaf_hash(entry) for entry in SMALL_ENTRIES)
SMALL_ROOTS = [ref_mth(SMALL_ENTRIES[:n]) for n in range(SMALL + 1)]
FULL_BIT_FLIPS_UP_TO = 16  # sizes up to this: every bit of every proof hash is flipped
SAMPLED_BITS_SPACING = 64  # above: 4 bits per proof hash, one in each 8-byte quarter, offset varying per case


def flipped(proof: list[bytes], position: int, bit: int) -> list[bytes]:
    changed = bytearray(proof[position])
    changed[bit // 8] ^= 1 << (bit % 8)
    return [*proof[:position], bytes(changed), *proof[position + 1 :]]


def bit_flips(proof: list[bytes], size: int, salt: int) -> Iterator[list[bytes]]:
    for position in range(len(proof)):
        if size <= FULL_BIT_FLIPS_UP_TO:
            bits: range | list[int] = range(8 * HASH_SIZE)
        else:
            offset = (7 * size + 13 * salt + 29 * position) % SAMPLED_BITS_SPACING
            bits = range(offset, 8 * HASH_SIZE, SAMPLED_BITS_SPACING)
        for bit in bits:
            yield flipped(proof, position, bit)


RootOf = Callable[[int], bytes]  # reference root of the first n entries


def assert_inclusion_tampering_fails(
    index: int, size: int, proof: list[bytes], leaf: bytes, root_of: RootOf, max_size: int, flips: Iterator[list[bytes]]
) -> None:
    root = root_of(size)
    assert verify_inclusion(leaf, index, size, proof, root)
    for bad in flips:
        assert not verify_inclusion(leaf, index, size, bad, root)
    for wrong_index in (index - 1, index + 1, index ^ 2):
        assert not verify_inclusion(leaf, wrong_index, size, proof, root)
    # A wrong size, with the root of that size (the pair a signed tree head carries).
    for wrong_size in (size - 1, size + 1, 2 * size):
        if 0 < wrong_size <= max_size:
            assert not verify_inclusion(leaf, index, wrong_size, proof, root_of(wrong_size))
    for wrong_root in (root_of(size - 1), EMPTY_ROOT, flipped([root], 0, 255)[0]):
        assert not verify_inclusion(leaf, index, size, proof, wrong_root)
    assert not verify_inclusion(flipped([leaf], 0, 0)[0], index, size, proof, root)
    assert not verify_inclusion(leaf, index, size, [*proof, root], root)
    assert not verify_inclusion(leaf, index, size, [root, *proof], root)
    assert not verify_inclusion(leaf, index, size, [*proof, b""], root)
    if proof:
        assert not verify_inclusion(leaf, index, size, proof[:-1], root)
        assert not verify_inclusion(leaf, index, size, proof[1:], root)


def assert_consistency_tampering_fails(
    old: int, new: int, proof: list[bytes], root_of: RootOf, max_size: int, flips: Iterator[list[bytes]]
) -> None:
    old_root, new_root = root_of(old), root_of(new)
    assert verify_consistency(old, new, old_root, new_root, proof)
    for bad in flips:
        assert not verify_consistency(old, new, old_root, new_root, bad)
    # A wrong size, with the root of that size.
    for wrong_old in (old - 1, old + 1, old ^ 2):
        if 0 < wrong_old <= new and wrong_old != old:
            assert not verify_consistency(wrong_old, new, root_of(wrong_old), new_root, proof)
    for wrong_new in (new - 1, new + 1, 2 * new):
        if old <= wrong_new <= max_size and wrong_new != new:
            assert not verify_consistency(old, wrong_new, old_root, root_of(wrong_new), proof)
    assert not verify_consistency(old, new, flipped([old_root], 0, 3)[0], new_root, proof)
    assert not verify_consistency(old, new, old_root, flipped([new_root], 0, 3)[0], proof)
    if old != new:
        assert not verify_consistency(old, new, new_root, old_root, proof)
        assert not verify_consistency(old, new, old_root, new_root, [])
        assert not verify_consistency(new, old, new_root, old_root, proof)
    for extra in (old_root, new_root, b""):
        assert not verify_consistency(old, new, old_root, new_root, [*proof, extra])
        assert not verify_consistency(old, new, old_root, new_root, [extra, *proof])
    if proof:
        assert not verify_consistency(old, new, old_root, new_root, proof[:-1])
        assert not verify_consistency(old, new, old_root, new_root, [proof[0], *proof])


@pytest.mark.parametrize("size", range(1, SMALL + 1))
def test_roots_match_reference_exhaustively(size: int) -> None:
    assert SMALL_TREE.root(size) == SMALL_ROOTS[size]
    assert root_hash(SMALL_ENTRIES[:size]) == SMALL_ROOTS[size]


@pytest.mark.parametrize("size", range(1, SMALL + 1))
def test_inclusion_matches_reference_and_resists_tampering_exhaustively(size: int) -> None:
    entries = SMALL_ENTRIES[:size]
    for index in range(size):
        proof = SMALL_TREE.inclusion_proof(index, size)
        assert proof == ref_path(index, entries)
        leaf = leaf_hash(entries[index])
        flips = bit_flips(proof, size, salt=index)
        assert_inclusion_tampering_fails(index, size, proof, leaf, SMALL_ROOTS.__getitem__, SMALL, flips)


@pytest.mark.parametrize("new", range(1, SMALL + 1))
def test_consistency_matches_reference_and_resists_tampering_exhaustively(new: int) -> None:
    entries = SMALL_ENTRIES[:new]
    for old in range(1, new + 1):
        proof = SMALL_TREE.consistency_proof(old, new)
        assert proof == ref_proof(old, entries)
        flips = bit_flips(proof, new, salt=old)
        assert_consistency_tampering_fails(old, new, proof, SMALL_ROOTS.__getitem__, SMALL, flips)


def test_subtree_hash_of_any_range_matches_reference() -> None:
    # Ranges that are not nodes of a Merkle tree take the general recursion; nodes take the fold.
    for start in range(0, 24):
        for end in range(start, 24):
            assert subtree_hash(start, end, SMALL_TREE) == ref_mth(SMALL_ENTRIES[start:end]), (start, end)


LARGE = 2000
LARGE_ENTRIES = entries_for(LARGE)
LARGE_TREE = MemoryTree(leaf_hash(entry) for entry in LARGE_ENTRIES)
RNG_SEED = 20250101
_rng = random.Random(RNG_SEED)
LARGE_SIZES = sorted({65, 127, 128, 129, 1023, 1024, 1025, LARGE, *_rng.sample(range(66, LARGE), 12)})


@functools.cache
def large_root(size: int) -> bytes:
    return ref_mth(LARGE_ENTRIES[:size])


@pytest.mark.parametrize("size", LARGE_SIZES)
def test_large_trees_match_reference_on_samples(size: int) -> None:
    rng = random.Random(RNG_SEED + size)
    entries = LARGE_ENTRIES[:size]
    assert LARGE_TREE.root(size) == large_root(size)
    for index in sorted({0, size - 1, size // 2, *rng.sample(range(size), 5)}):
        proof = LARGE_TREE.inclusion_proof(index, size)
        assert proof == ref_path(index, entries)
        flips = bit_flips(proof, size, salt=index)
        assert_inclusion_tampering_fails(index, size, proof, leaf_hash(entries[index]), large_root, LARGE, flips)
    for old in sorted({1, size - 1, 1 << (size.bit_length() - 1), *rng.sample(range(1, size), 5)}):
        proof = LARGE_TREE.consistency_proof(old, size)
        assert proof == ref_proof(old, entries)
        flips = bit_flips(proof, size, salt=old)
        assert_consistency_tampering_fails(old, size, proof, large_root, LARGE, flips)


def test_inclusion_proof_binds_root_not_size() -> None:
    # Documented property: a proof for (index, size) can verify for another size against the *same* root
    # when both trees give the leaf the same path shape (leaf 0 at sizes 5 and 6). The size is bound to
    # the root by the signed tree head, so a verifier checks (size, root) pairs, as the tests above do.
    proof = SMALL_TREE.inclusion_proof(0, 5)
    assert verify_inclusion(leaf_hash(SMALL_ENTRIES[0]), 0, 6, proof, SMALL_ROOTS[5])
    assert not verify_inclusion(leaf_hash(SMALL_ENTRIES[0]), 0, 6, proof, SMALL_ROOTS[6])
    # Same for consistency: the proof 1 -> 3 also fits the shape 1 -> 4 ...
    proof = SMALL_TREE.consistency_proof(1, 3)
    assert verify_consistency(1, 4, SMALL_ROOTS[1], SMALL_ROOTS[3], proof)
    assert not verify_consistency(1, 4, SMALL_ROOTS[1], SMALL_ROOTS[4], proof)
    # ... but a proof too short for the claimed new size fails (RFC 9162 2.1.4.2 step 7: sn must reach 0).
    proof = SMALL_TREE.consistency_proof(1, 2)
    assert not verify_consistency(1, 3, SMALL_ROOTS[1], SMALL_ROOTS[2], proof)
    assert not verify_consistency(1, 8, SMALL_ROOTS[1], SMALL_ROOTS[2], proof)


def ref_path_shape(m: int, n: int) -> list[str]:
    """Sides of the siblings along PATH(m, D[n]), leaf to root ("L": sibling on the left)."""
    if n == 1:
        return []
    k = ref_split(n)
    if m < k:
        return [*ref_path_shape(m, k), "R"]
    return [*ref_path_shape(m - k, n - k), "L"]


@pytest.mark.parametrize("size", range(1, FULL_BIT_FLIPS_UP_TO + 1))
def test_inclusion_claims_verify_exactly_when_the_path_shape_matches(size: int) -> None:
    # With the true root and proof, any other claimed (index, size) verifies iff the RFC 6962 path of that claim
    # has the same sides in the same order (then the verifier computes the same hashes); otherwise it must fail.
    # This pins RFC 9162 2.1.3.2 step 4a ("if sn is 0, fail"): without it, leaf 1 of the size-2 tree would
    # verify as leaf 0 of a size-1 tree with root MTH(D[2]).
    root = SMALL_ROOTS[size]
    for index in range(size):
        proof, leaf = SMALL_TREE.inclusion_proof(index, size), leaf_hash(SMALL_ENTRIES[index])
        shape = ref_path_shape(index, size)
        for claimed_size in range(1, 2 * FULL_BIT_FLIPS_UP_TO + 1):
            for claimed_index in range(claimed_size):
                expected = ref_path_shape(claimed_index, claimed_size) == shape
                assert verify_inclusion(leaf, claimed_index, claimed_size, proof, root) is expected, (
                    index, size, claimed_index, claimed_size)  # fmt: skip


def test_consistency_proof_too_long_for_claimed_sizes_fails() -> None:
    # RFC 9162 2.1.4.2 step 6a ("if sn is 0, fail"): the proof 7 -> 8 read with sizes 3 -> 4 (or 5 -> 6,
    # 6 -> 7) would otherwise fold to the true roots with elements to spare. No tree of 3 leaves with root
    # MTH(D[7]) is a prefix of a tree of 4 leaves with root MTH(D[8]), so these must fail.
    proof = SMALL_TREE.consistency_proof(7, 8)
    assert verify_consistency(7, 8, SMALL_ROOTS[7], SMALL_ROOTS[8], proof)
    for old, new in ((3, 4), (5, 6), (6, 7), (6, 8)):
        assert not verify_consistency(old, new, SMALL_ROOTS[7], SMALL_ROOTS[8], proof)


# ------------------------------------------------------------------------------------------------
# Edge cases of verification: malformed input gives False, never an exception
# ------------------------------------------------------------------------------------------------
def test_verify_inclusion_rejects_malformed_input() -> None:
    leaf = leaf_hash(SMALL_ENTRIES[3])
    proof = SMALL_TREE.inclusion_proof(3, 8)
    root = SMALL_ROOTS[8]
    assert verify_inclusion(leaf, 3, 8, proof, root)
    assert verify_inclusion(bytearray(leaf), 3, 8, [bytearray(p) for p in proof], bytearray(root))
    bad_calls: list[tuple[object, object, object, object, object]] = [
        (leaf, 8, 8, proof, root),  # index == size
        (leaf, 9, 8, proof, root),  # index > size
        (leaf, -1, 8, proof, root),
        (leaf, 0, 0, [], EMPTY_ROOT),  # empty tree has no leaves
        (leaf, 3, -8, proof, root),
        (leaf, "3", 8, proof, root),
        (leaf, 3.0, 8, proof, root),
        (leaf, None, 8, proof, root),
        (leaf, True, 8, proof, root),
        (leaf, 3, 8, None, root),
        (leaf, 3, 8, 42, root),
        (leaf, 3, 8, b"".join(proof), root),
        (leaf, 3, 8, [p.hex() for p in proof], root),
        (leaf, 3, 8, [*proof[:-1], proof[-1][:-1]], root),  # short hash
        (leaf, 3, 8, [*proof[:-1], proof[-1] + b"\x00"], root),  # long hash
        (leaf, 3, 8, [*proof[:-1], None], root),
        (leaf[:-1], 3, 8, proof, root),
        (None, 3, 8, proof, root),
        (leaf, 3, 8, proof, root[:16]),
        (leaf, 3, 8, proof, root.hex()),
        (leaf, 3, 8, proof, None),
    ]
    for call in bad_calls:
        assert verify_inclusion(*call) is False, call  # type: ignore[arg-type]


def test_verify_inclusion_single_leaf_tree() -> None:
    digest = leaf_hash(b"only")
    assert verify_inclusion(digest, 0, 1, [], digest)
    assert not verify_inclusion(digest, 0, 1, [digest], digest)
    assert not verify_inclusion(digest, 0, 1, [], leaf_hash(b"other"))


def test_verify_consistency_edge_sizes() -> None:
    root3, root5 = SMALL_ROOTS[3], SMALL_ROOTS[5]
    # Equal sizes: empty proof and equal roots.
    assert verify_consistency(5, 5, root5, root5, [])
    assert not verify_consistency(5, 5, root5, root3, [])
    assert not verify_consistency(5, 5, root5, root5, [root5])
    # From the empty tree: empty proof, and the old root must be the empty root.
    assert verify_consistency(0, 5, EMPTY_ROOT, root5, [])
    assert verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    assert not verify_consistency(0, 5, root3, root5, [])
    assert not verify_consistency(0, 5, EMPTY_ROOT, root5, [EMPTY_ROOT])
    # Old size larger than new size, negative sizes.
    assert not verify_consistency(5, 3, root5, root3, SMALL_TREE.consistency_proof(3, 5))
    assert not verify_consistency(-1, 5, EMPTY_ROOT, root5, [])
    assert not verify_consistency(3, -5, root3, root5, [])


def test_verify_consistency_rejects_malformed_input() -> None:
    proof = SMALL_TREE.consistency_proof(3, 7)
    root3, root7 = SMALL_ROOTS[3], SMALL_ROOTS[7]
    assert verify_consistency(3, 7, root3, root7, proof)
    assert verify_consistency(3, 7, bytearray(root3), bytearray(root7), [bytearray(p) for p in proof])
    bad_calls: list[tuple[object, object, object, object, object]] = [
        ("3", 7, root3, root7, proof),
        (3, 7.0, root3, root7, proof),
        (None, 7, root3, root7, proof),
        (3, 7, root3[:-1], root7, proof),
        (3, 7, root3, None, proof),
        (3, 7, root3, root7, None),
        (3, 7, root3, root7, b"".join(proof)),
        (3, 7, root3, root7, [p.hex() for p in proof]),
        (3, 7, root3, root7, [*proof[:-1], proof[-1][:31]]),
        (3, 7, root3, root7, [*proof[:-1], 7]),
    ]
    for call in bad_calls:
        assert verify_consistency(*call) is False, call  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------------
# Builders: argument errors, node plans, appends
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("index", "size"), [(0, 0), (1, 0), (2, 1), (3, 0), (8, 7), (-1, 4)])
def test_inclusion_proof_rejects_index_outside_tree(index: int, size: int) -> None:
    with pytest.raises(MerkleTreeError, match="leaf index"):
        inclusion_proof(index, size, SMALL_TREE)
    with pytest.raises(MerkleTreeError, match="leaf index"):
        inclusion_proof_nodes(index, size)


@pytest.mark.parametrize(("old", "new"), [(5, 0), (9, 8), (-1, 3)])
def test_consistency_proof_rejects_old_size_above_new(old: int, new: int) -> None:
    with pytest.raises(MerkleTreeError, match="no consistency proof"):
        consistency_proof(old, new, SMALL_TREE)
    with pytest.raises(MerkleTreeError, match="no consistency proof"):
        consistency_proof_nodes(old, new)


def test_consistency_proof_from_empty_tree_is_empty() -> None:
    assert consistency_proof(0, 10, SMALL_TREE) == []
    assert consistency_proof_nodes(0, 10) == []


def test_memory_tree_rejects_sizes_beyond_its_leaves() -> None:
    tree = MemoryTree(leaf_hash(entry) for entry in SMALL_ENTRIES[:5])
    with pytest.raises(MerkleTreeError, match="current size 5"):
        tree.root(6)
    with pytest.raises(MerkleTreeError, match="current size 5"):
        tree.inclusion_proof(0, 6)
    with pytest.raises(MerkleTreeError, match="current size 5"):
        tree.consistency_proof(2, 6)
    with pytest.raises(MissingNodeError) as missing:
        tree.perfect(1, 2)  # leaves 4..5: leaf 5 not appended yet
    assert (missing.value.level, missing.value.index) == (1, 2)
    with pytest.raises(MissingNodeError):
        tree.perfect(0, -1)


def test_memory_tree_rejects_malformed_leaf_hashes_and_stays_unchanged() -> None:
    tree = MemoryTree(leaf_hash(entry) for entry in SMALL_ENTRIES[:3])
    root = tree.root()
    for bad in (b"short", "x" * 32, 42, leaf_hash(b"a") + b"!"):
        with pytest.raises(MerkleTreeError, match="leaf 4"):
            tree.append([leaf_hash(b"fine"), bad])  # type: ignore[list-item]
        assert tree.size == 3
        assert tree.root() == root
    tree.append([bytearray(leaf_hash(SMALL_ENTRIES[3]))])  # type: ignore[list-item]
    assert tree.root() == SMALL_ROOTS[4]


class _RecordingSource:
    """Wraps a source and records every perfect subtree read."""

    def __init__(self, inner: MemoryTree) -> None:
        self.inner = inner
        self.reads: list[tuple[int, int]] = []

    def perfect(self, level: int, index: int) -> bytes:
        self.reads.append((level, index))
        return self.inner.perfect(level, index)


def _bound(size: int) -> int:
    return 2 * (size - 1).bit_length()  # 2 * ceil(log2(size))


@pytest.mark.parametrize("size", range(1, SMALL + 1))
def test_node_plans_list_exactly_the_reads(size: int) -> None:
    for index in range(size):
        source = _RecordingSource(SMALL_TREE)
        inclusion_proof(index, size, source)
        plan = inclusion_proof_nodes(index, size)
        assert source.reads == plan
        assert len(set(plan)) == len(plan) <= _bound(size)
    for old in range(size + 1):
        source = _RecordingSource(SMALL_TREE)
        consistency_proof(old, size, source)
        plan = consistency_proof_nodes(old, size)
        assert source.reads == plan
        assert len(set(plan)) == len(plan) <= _bound(size)
    source = _RecordingSource(SMALL_TREE)
    subtree_hash(0, size, source)
    assert source.reads == subtree_nodes(0, size) == frontier_nodes(size)
    assert len(frontier_nodes(size)) == size.bit_count()


def test_node_plans_stay_logarithmic_at_a_million_leaves() -> None:
    rng = random.Random(RNG_SEED)
    for size in (1_000_000, 2**20, 2**20 + 1, 2**20 - 1):
        for index in (0, size - 1, *rng.sample(range(size), 20)):
            assert len(inclusion_proof_nodes(index, size)) <= _bound(size)
        for old in (1, size - 1, *rng.sample(range(1, size), 20)):
            assert len(consistency_proof_nodes(old, size)) <= _bound(size)


def test_prefetched_nodes_serve_proofs_like_a_database() -> None:
    size = 1500
    nodes = inclusion_proof_nodes(777, size) + consistency_proof_nodes(1001, size) + frontier_nodes(size)
    source = MappingSource({node: LARGE_TREE.perfect(*node) for node in nodes})
    assert inclusion_proof(777, size, source) == LARGE_TREE.inclusion_proof(777, size)
    assert consistency_proof(1001, size, source) == LARGE_TREE.consistency_proof(1001, size)
    assert subtree_hash(0, size, source) == LARGE_TREE.root(size)
    with pytest.raises(MissingNodeError, match="prefetched"):
        inclusion_proof(778, size, source)


def _all_perfect(tree: MemoryTree) -> list[list[bytes]]:
    levels = []
    level = 0
    while tree.size >> level:
        levels.append([tree.perfect(level, index) for index in range(tree.size >> level)])
        level += 1
    return levels


def test_appends_in_batches_equal_one_build_and_old_proofs_still_verify() -> None:
    hashes = [leaf_hash(entry) for entry in LARGE_ENTRIES[:700]]
    whole = MemoryTree(hashes)
    tree = MemoryTree()
    heads: list[tuple[int, bytes]] = []
    rng = random.Random(RNG_SEED)
    position = 0
    for batch in (0, 1, 1, 2, 3, 1, 8, 16, 5, 0, 64, 63, 129, 1, *[rng.randint(1, 50) for _ in range(40)]):
        batch_hashes = hashes[position : position + batch]
        tree.append(iter(batch_hashes))  # any iterable
        position += len(batch_hashes)
        assert tree.size == position
        assert tree.root() == whole.root(position)
        heads.append((position, tree.root()))
        if position == len(hashes):
            break
    assert tree.size == whole.size == len(hashes)
    assert _all_perfect(tree) == _all_perfect(whole)
    with pytest.raises(MissingNodeError):
        tree.perfect(0, tree.size)
    for old_size, old_root in heads:
        assert tree.root(old_size) == old_root
        assert verify_consistency(old_size, tree.size, old_root, tree.root(), tree.consistency_proof(old_size))
        for index in {0, old_size // 3, old_size - 1} if old_size else set():
            proof = tree.inclusion_proof(index, old_size)
            assert verify_inclusion(hashes[index], index, old_size, proof, old_root)


def test_append_nodes_needs_only_the_frontier() -> None:
    hashes = [leaf_hash(entry) for entry in LARGE_ENTRIES[:300]]
    for size, count in ((0, 300), (1, 1), (7, 1), (7, 9), (100, 156), (255, 1), (256, 44), (299, 1)):
        before = MemoryTree(hashes[:size])
        frontier = MappingSource({node: before.perfect(*node) for node in frontier_nodes(size)})
        runs = append_nodes(size, hashes[size : size + count], frontier)
        after = MemoryTree(hashes[: size + count])
        expected = [
            (level, index, after.perfect(level, index))
            for level in range(len(_all_perfect(after)))
            for index in range(size >> level, (size + count) >> level)
        ]
        assert [row for run in runs for row in run.nodes()] == expected
        assert [run.start for run in runs] == [size >> run.level for run in runs]
    assert append_nodes(5, [], MemoryTree()) == []


@pytest.mark.parametrize(("start", "end"), [(5, 3), (-1, 2)])
def test_subtree_hash_rejects_reversed_or_negative_ranges(start: int, end: int) -> None:
    with pytest.raises(MerkleTreeError, match="leaf range"):
        subtree_hash(start, end, SMALL_TREE)
    with pytest.raises(MerkleTreeError, match="leaf range"):
        subtree_nodes(start, end)
