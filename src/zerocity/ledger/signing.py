"""Ed25519 keys and signatures of the MRV ledger, and the signed tree head message.

The ledger signs its tree heads with one platform key (Ed25519, RFC 8032). The private key is a
PKCS#8 PEM file, unencrypted and protected by its permissions (0600 in a 0700 directory), like an
SSH host key; the public key is published as ``ed25519:<base64 of the 32 raw bytes>`` and named
by its key id, the SHA-256 of those bytes (as RFC 6962 section 3.2 names a log by the SHA-256 of
its key). What is signed for a tree head is the RFC 6962 section 3.5 ``TreeHeadSignature``.

References
----------
S. Josefsson, I. Liusvaara, "Edwards-Curve Digital Signature Algorithm (EdDSA)", RFC 8032, 2017.
S. Josefsson, J. Schaad, "Algorithm Identifiers for Ed25519, Ed448, X25519, and X448 for Use in
the Internet X.509 Public Key Infrastructure", RFC 8410, 2018 (PKCS#8 and SubjectPublicKeyInfo).
B. Laurie, A. Langley, E. Kasper, "Certificate Transparency", RFC 6962, 2013, sections 3.2, 3.5.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import logging
import operator
import os
import struct
import tempfile
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from zerocity.errors import ZerocityError

__all__ = [
    "KEY_FILENAME",
    "LEDGER_KEY_ENV",
    "PUBLIC_KEY_PREFIX",
    "SIGNATURE_LENGTH",
    "TREE_HEAD_MESSAGE_LENGTH",
    "KeyFileError",
    "generate_private_key",
    "key_id",
    "load_or_create_key_file",
    "load_private_key",
    "load_public_key",
    "platform_key_path",
    "private_key_to_pem",
    "public_key_text",
    "sign",
    "tree_head_message",
    "verify_signature",
]

logger = logging.getLogger(__name__)

#: Environment variable holding the path of the platform's ledger signing key.
LEDGER_KEY_ENV = "ZEROCITY_LEDGER_KEY"
#: Folder of the default key file inside the data directory.
KEY_DIRNAME = "ledger"
#: File name of the default key file.
KEY_FILENAME = "platform_ed25519.pem"
#: Prefix of the text form of a public key.
PUBLIC_KEY_PREFIX = "ed25519:"
#: Length of an Ed25519 public key [bytes] (RFC 8032 section 5.1.5).
PUBLIC_KEY_LENGTH = 32
#: Length of an Ed25519 signature [bytes] (RFC 8032 section 5.1.6).
SIGNATURE_LENGTH = 64
#: Length of a SHA-256 root hash [bytes].
ROOT_HASH_LENGTH = 32
#: ``Version v1`` of RFC 6962 section 3.2.
VERSION_V1 = 0
#: ``SignatureType tree_hash`` of RFC 6962 section 3.2.
SIGNATURE_TYPE_TREE_HASH = 1
#: TLS encoding of ``TreeHeadSignature``: version, signature_type (uint8 each), timestamp and
#: tree_size (uint64, big-endian), sha256_root_hash (32 bytes).
_TREE_HEAD = struct.Struct(f">BBQQ{ROOT_HASH_LENGTH}s")
#: Length of :func:`tree_head_message` [bytes]: 1 + 1 + 8 + 8 + 32.
TREE_HEAD_MESSAGE_LENGTH = _TREE_HEAD.size
_UINT64_MAX = 2**64 - 1
#: Permission bits a key file must not have: any access by group or others.
_GROUP_OTHER_BITS = 0o077


class KeyFileError(ZerocityError, ValueError):
    """A key file that cannot be used: too open permissions, or not an Ed25519 private key.

    Attributes
    ----------
    path : pathlib.Path
        The key file.
    """

    code = "ledger_key_file"

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


def generate_private_key() -> Ed25519PrivateKey:
    """A new random Ed25519 private key (from the operating system's CSPRNG)."""
    return Ed25519PrivateKey.generate()


def private_key_to_pem(key: Ed25519PrivateKey) -> bytes:
    """The PKCS#8 PEM of a private key, unencrypted (RFC 8410 section 7).

    Parameters
    ----------
    key : Ed25519PrivateKey
        Key to write.

    Returns
    -------
    bytes
        ``-----BEGIN PRIVATE KEY-----`` ... PEM text; protect the file it goes to.
    """
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_private_key(data: bytes) -> Ed25519PrivateKey:
    """Read an unencrypted PKCS#8 PEM Ed25519 private key.

    Parameters
    ----------
    data : bytes
        PEM text, as written by :func:`private_key_to_pem`.

    Returns
    -------
    Ed25519PrivateKey

    Raises
    ------
    ValueError
        Not a PEM private key, an encrypted one, or a key of another algorithm.
    """
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError as exc:  # cryptography's way of saying "encrypted, and no password given"
        raise ValueError(f"the private key is encrypted; an unencrypted PKCS#8 PEM is expected ({exc})") from exc
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise ValueError(f"not a PKCS#8 PEM private key: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"the private key is {type(key).__name__}, not an Ed25519 key")
    return key


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The text form of a public key: ``ed25519:`` + standard base64 of its 32 raw bytes.

    Parameters
    ----------
    key : Ed25519PrivateKey or Ed25519PublicKey
        Key, or the private key whose public key is meant.

    Returns
    -------
    str
        E.g. ``ed25519:11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=`` (52 characters).
    """
    return PUBLIC_KEY_PREFIX + base64.b64encode(_raw_public_key(key)).decode("ascii")


def load_public_key(text: str) -> Ed25519PublicKey:
    """Read a public key from its text form, a PEM, or base64 of its raw bytes.

    Parameters
    ----------
    text : str
        ``ed25519:<base64>`` (:func:`public_key_text`), a PEM ``-----BEGIN PUBLIC KEY-----``
        SubjectPublicKeyInfo (RFC 8410 section 4), or standard base64 of the 32 raw bytes.
        Surrounding whitespace is ignored.

    Returns
    -------
    Ed25519PublicKey

    Raises
    ------
    ValueError
        None of these forms, a key of another algorithm, or not 32 bytes.
    """
    stripped = text.strip()
    if not stripped:
        raise ValueError("empty public key text")
    if stripped.startswith("-----BEGIN"):
        return _load_public_pem(stripped)
    encoded = stripped
    if stripped.startswith(PUBLIC_KEY_PREFIX):
        encoded = stripped[len(PUBLIC_KEY_PREFIX) :]
    elif ":" in stripped:
        kind = stripped.split(":", 1)[0]
        raise ValueError(f"unsupported public key type {kind!r}; expected {PUBLIC_KEY_PREFIX}<base64>")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"public key is not valid base64 ({exc}): {stripped[:60]!r}") from exc
    if len(raw) != PUBLIC_KEY_LENGTH:
        raise ValueError(f"an Ed25519 public key is {PUBLIC_KEY_LENGTH} bytes, this one is {len(raw)}")
    return Ed25519PublicKey.from_public_bytes(raw)


def key_id(public_key: Ed25519PublicKey | Ed25519PrivateKey) -> str:
    """The id of a key: SHA-256 of its 32 raw public key bytes (cf. RFC 6962 section 3.2, LogID).

    Parameters
    ----------
    public_key : Ed25519PublicKey or Ed25519PrivateKey
        Key, or the private key whose public key is meant.

    Returns
    -------
    str
        Lowercase hex digest (64 characters).
    """
    return hashlib.sha256(_raw_public_key(public_key)).hexdigest()


def sign(key: Ed25519PrivateKey, message: bytes) -> bytes:
    """The Ed25519 signature of a message (RFC 8032 section 5.1.6; deterministic).

    Parameters
    ----------
    key : Ed25519PrivateKey
        Signing key.
    message : bytes
        Message, signed as it is (PureEdDSA, no pre-hash).

    Returns
    -------
    bytes
        64-byte signature.
    """
    return key.sign(message)


def verify_signature(public_key: Ed25519PublicKey, message: bytes, signature: bytes) -> bool:
    """Whether a signature is a valid Ed25519 signature of a message (RFC 8032 section 5.1.7).

    Parameters
    ----------
    public_key : Ed25519PublicKey
        Key of the claimed signer.
    message : bytes
        Signed message.
    signature : bytes
        Signature to check, of any length.

    Returns
    -------
    bool
        True when valid; False for a wrong, truncated or otherwise malformed signature (never
        raises for those). Arguments of the wrong type (text for bytes) still raise TypeError.
    """
    if len(signature) != SIGNATURE_LENGTH:
        return False
    try:
        public_key.verify(signature, message)
    except InvalidSignature:
        return False
    return True


def tree_head_message(size: int, root: bytes, timestamp_ms: int) -> bytes:
    """The bytes signed for a tree head: RFC 6962 section 3.5 ``TreeHeadSignature``.

    ``digitally-signed struct { Version version; SignatureType signature_type = tree_hash;
    uint64 timestamp; uint64 tree_size; opaque sha256_root_hash[32]; }``, TLS-encoded
    (RFC 5246 section 4): ``0x00`` (v1), ``0x01`` (tree_hash), timestamp and tree_size as
    big-endian uint64, then the 32 root hash bytes; 50 bytes in all.

    Parameters
    ----------
    size : int
        Number of entries in the tree [unitless], 0 to 2**64 - 1.
    root : bytes
        SHA-256 Merkle tree hash of those entries, 32 bytes.
    timestamp_ms : int
        Time of the tree head [ms since 1970-01-01T00:00:00Z], 0 to 2**64 - 1.

    Returns
    -------
    bytes
        The 50-byte message to sign.

    Raises
    ------
    TypeError
        ``size`` or ``timestamp_ms`` not an integer, or ``root`` not bytes.
    ValueError
        A number out of the uint64 range, or ``root`` not 32 bytes long.
    """
    tree_size = _uint64(size, "size")
    timestamp = _uint64(timestamp_ms, "timestamp_ms")
    if not isinstance(root, bytes | bytearray | memoryview):
        raise TypeError(f"root must be the {ROOT_HASH_LENGTH} raw hash bytes, got {type(root).__name__}")
    root_bytes = bytes(root)
    if len(root_bytes) != ROOT_HASH_LENGTH:
        raise ValueError(f"root must be a {ROOT_HASH_LENGTH}-byte SHA-256 hash, got {len(root_bytes)} bytes")
    return _TREE_HEAD.pack(VERSION_V1, SIGNATURE_TYPE_TREE_HASH, timestamp, tree_size, root_bytes)


def load_or_create_key_file(path: str | os.PathLike[str]) -> Ed25519PrivateKey:
    """The private key in a PEM file, created on first use.

    A missing file is created with a new key: its directory is made with mode 0700 if missing,
    the PEM is written to a temporary file (mode 0600) in that directory, flushed to disk, then
    linked to ``path``. Linking (not ``os.replace``) is atomic *and* never overwrites: if another
    process created the key meanwhile, that key is loaded and used, so two processes starting
    together cannot end up signing with different keys. Where the file system has no hard links,
    ``os.replace`` is used instead.

    Parameters
    ----------
    path : str or os.PathLike
        Key file (see :func:`platform_key_path`).

    Returns
    -------
    Ed25519PrivateKey

    Raises
    ------
    KeyFileError
        On POSIX, the file is accessible by group or others (the message gives the ``chmod``);
        or it is not an unencrypted PKCS#8 PEM Ed25519 private key.
    OSError
        The file or its directory cannot be read or written.
    """
    key_path = Path(path)
    if key_path.exists():
        return _load_key_file(key_path)
    return _create_key_file(key_path)


def platform_key_path() -> Path:
    """Where the platform's ledger signing key lives.

    Returns
    -------
    pathlib.Path
        ``$ZEROCITY_LEDGER_KEY`` when set, else ``ledger/platform_ed25519.pem`` in the data
        directory of :func:`zerocity.store.db.data_dir` (``$ZEROCITY_DATA_DIR`` or the user data
        directory, created if missing).
    """
    configured = os.environ.get(LEDGER_KEY_ENV)
    if configured:
        return Path(configured).expanduser()
    # Imported here: signing and verifying need neither SQLAlchemy nor pandas, which the
    # store module loads.
    from zerocity.store.db import data_dir

    return data_dir() / KEY_DIRNAME / KEY_FILENAME


def _raw_public_key(key: Any) -> bytes:
    if isinstance(key, Ed25519PrivateKey):
        key = key.public_key()
    if not isinstance(key, Ed25519PublicKey):
        raise TypeError(f"an Ed25519 key is expected, got {type(key).__name__}")
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _load_public_pem(text: str) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(text.encode("ascii"))
    except (ValueError, UnsupportedAlgorithm) as exc:  # UnicodeEncodeError is a ValueError
        raise ValueError(f"not a PEM SubjectPublicKeyInfo public key: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"the PEM public key is {type(key).__name__}, not an Ed25519 key")
    return key


def _uint64(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an integer, got bool")
    try:
        number = operator.index(value)  # int and numpy integers; not floats
    except TypeError:
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}") from None
    if not 0 <= number <= _UINT64_MAX:
        raise ValueError(f"{name} must be between 0 and 2**64 - 1, got {number}")
    return number


def _load_key_file(path: Path) -> Ed25519PrivateKey:
    if os.name == "posix":
        mode = path.stat().st_mode
        if mode & _GROUP_OTHER_BITS:
            raise KeyFileError(
                path,
                f"the ledger signing key is accessible by group or others (mode {mode & 0o777:04o}); "
                f"restrict it to its owner with: chmod 600 {path}",
            )
    try:
        return load_private_key(path.read_bytes())
    except ValueError as exc:
        raise KeyFileError(path, str(exc)) from exc


def _create_key_file(path: Path) -> Ed25519PrivateKey:
    directory = path.parent
    _make_private_directory(directory)
    key = generate_private_key()
    descriptor, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    temp = Path(temp_name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(private_key_to_pem(key))
            handle.flush()
            os.fsync(handle.fileno())
        if os.name == "posix":
            os.chmod(temp, 0o600)  # mkstemp's mode already; stated so it does not rest on that
        try:
            os.link(temp, path)
        except FileExistsError:
            logger.info("ledger signing key %s was created by another process; using it", path)
            return _load_key_file(path)
        except OSError:  # no hard links on this file system
            os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    _fsync_directory(directory)
    logger.info("created ledger signing key %s (key id %s)", path, key_id(key))
    return key


def _make_private_directory(directory: Path) -> None:
    """Create ``directory`` with mode 0700 if missing (an existing one is left as it is)."""
    try:
        directory.mkdir(mode=0o700, parents=True)
    except FileExistsError:
        return
    if os.name == "posix":
        os.chmod(directory, 0o700)  # mkdir's mode is filtered by the umask


def _fsync_directory(directory: Path) -> None:
    """Flush a directory entry to disk (POSIX; best effort where the file system refuses)."""
    if os.name != "posix":
        return
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        with contextlib.suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)
