"""The MRV data chain: a signed, append-only Merkle-tree log in the style of Certificate Transparency.

Modules: :mod:`.merkle` (RFC 6962 / RFC 9162 tree hashes and proofs, pure functions),
:mod:`.canonical` (RFC 8785 canonical JSON of entries), :mod:`.signing` (Ed25519 keys and signed
tree heads), :mod:`.log` (entries, batches, evidence and proofs on the project database),
:mod:`.verify` (recompute-everything verification, exports, standalone proof checks),
:mod:`.mrv` (the monitoring-reporting-verification workflow) and :mod:`.events` (platform events).
See docs/ledger.md.
"""

from zerocity.ledger.log import Entry, EntryDraft, Ledger, LedgerError, TreeHead, sign_entry
from zerocity.ledger.merkle import MerkleTreeError, MissingNodeError
from zerocity.ledger.verify import VerifyReport, check_proof, verify_snapshot

__all__ = [
    "Entry",
    "EntryDraft",
    "Ledger",
    "LedgerError",
    "MerkleTreeError",
    "MissingNodeError",
    "TreeHead",
    "VerifyReport",
    "check_proof",
    "sign_entry",
    "verify_snapshot",
]
