"""Ed25519 keys and signatures, the RFC 6962 tree head message, and the platform key file.

Reference values:

- RFC 8032 section 7.1, "Test Vectors for Ed25519", TEST 1, 2 and 3 (secret key, public key,
  message, signature), as published there and reproduced in pyca/cryptography's vector loader
  test (tests/test_utils.py, ``test_load_ed25519_vectors``);
- RFC 8037 Appendix A.1: the base64url "x" of the TEST 1 public key,
  ``11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo``;
- RFC 8410 section 10.1: an example Ed25519 SubjectPublicKeyInfo PEM;
- RFC 6962 section 3.5 (``TreeHeadSignature``) with section 3.2 (``v1(0)``, ``tree_hash(1)``).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import stat
import struct
from pathlib import Path

import numpy as np
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from zerocity.errors import ZerocityError
from zerocity.ledger import signing
from zerocity.ledger.signing import (
    KEY_FILENAME,
    LEDGER_KEY_ENV,
    SIGNATURE_LENGTH,
    TREE_HEAD_MESSAGE_LENGTH,
    KeyFileError,
    generate_private_key,
    key_id,
    load_or_create_key_file,
    load_private_key,
    load_public_key,
    platform_key_path,
    private_key_to_pem,
    public_key_text,
    sign,
    tree_head_message,
    verify_signature,
)

posix_only = pytest.mark.skipif(os.name != "posix", reason="file permission bits are POSIX")

# RFC 8032 section 7.1: (name, SECRET KEY, PUBLIC KEY, MESSAGE, SIGNATURE), hex.
RFC8032_VECTORS = [
    (
        "TEST 1",
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "TEST 2",
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
    (
        "TEST 3",
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    ),
]
# RFC 8037 Appendix A.1, "x" of the TEST 1 key (base64url without padding).
RFC8037_TEST1_X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
# RFC 8410 section 10.1, example public key.
RFC8410_PUBLIC_PEM = (
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"
    "-----END PUBLIC KEY-----\n"
)


def _raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _flip_bit(data: bytes, bit: int) -> bytes:
    flipped = bytearray(data)
    flipped[bit // 8] ^= 1 << (bit % 8)
    return bytes(flipped)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return generate_private_key()


@pytest.fixture
def umask_zero():
    """Run with umask 0, so modes the code relies on the umask for would show up as 0666/0777."""
    previous = os.umask(0)
    yield
    os.umask(previous)


# --- RFC 8032 --------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "secret", "public", "message", "signature"), RFC8032_VECTORS)
def test_rfc8032_signatures(name, secret, public, message, signature):
    private_key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(secret))
    assert _raw(private_key.public_key()) == bytes.fromhex(public)
    assert sign(private_key, bytes.fromhex(message)) == bytes.fromhex(signature)


@pytest.mark.parametrize(("name", "secret", "public", "message", "signature"), RFC8032_VECTORS)
def test_rfc8032_signatures_verify(name, secret, public, message, signature):
    public_key = load_public_key(base64.b64encode(bytes.fromhex(public)).decode())
    assert verify_signature(public_key, bytes.fromhex(message), bytes.fromhex(signature))
    assert not verify_signature(public_key, bytes.fromhex(message) + b"\x00", bytes.fromhex(signature))


def test_public_key_text_of_rfc8032_test1_matches_rfc8037():
    private_key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(RFC8032_VECTORS[0][1]))
    expected = "ed25519:" + RFC8037_TEST1_X.replace("_", "/").replace("-", "+") + "="
    assert public_key_text(private_key) == expected


def test_key_id_is_the_sha256_of_the_raw_public_key():
    public = bytes.fromhex(RFC8032_VECTORS[0][2])
    private_key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(RFC8032_VECTORS[0][1]))
    assert key_id(private_key) == key_id(private_key.public_key()) == hashlib.sha256(public).hexdigest()


# --- Signatures --------------------------------------------------------------------------------


@pytest.mark.parametrize("length", [0, 1, 32, SIGNATURE_LENGTH - 1, SIGNATURE_LENGTH + 1, 128])
def test_signatures_of_the_wrong_length_are_false_not_errors(key, length):
    assert verify_signature(key.public_key(), b"m", b"\x01" * length) is False


def test_signature_by_another_key_is_false(key):
    assert verify_signature(generate_private_key().public_key(), b"m", sign(key, b"m")) is False


def test_all_zero_signature_is_false(key):
    assert verify_signature(key.public_key(), b"m", bytes(SIGNATURE_LENGTH)) is False


# --- Tree head message (RFC 6962 section 3.5) ---------------------------------------------------


def test_tree_head_message_layout():
    root = bytes(range(32))
    timestamp_ms, size = 1_700_000_000_123, 7
    expected = struct.pack(">BBQQ", 0, 1, timestamp_ms, size) + root
    message = tree_head_message(size, root, timestamp_ms)
    assert message == expected
    assert len(message) == TREE_HEAD_MESSAGE_LENGTH == 50


def test_tree_head_message_byte_by_byte():
    message = tree_head_message(0x0102, b"\xaa" * 32, 0x0A0B)
    assert message[:2] == b"\x00\x01"  # version v1, signature_type tree_hash
    assert message[2:10] == bytes.fromhex("0000000000000a0b")  # timestamp first, big-endian
    assert message[10:18] == bytes.fromhex("0000000000000102")  # then tree_size
    assert message[18:] == b"\xaa" * 32


@pytest.mark.parametrize(("size", "timestamp_ms"), [(0, 0), (2**64 - 1, 2**64 - 1), (np.int64(5), np.uint64(9))])
def test_tree_head_message_accepts_the_uint64_range(size, timestamp_ms):
    assert len(tree_head_message(size, bytes(32), timestamp_ms)) == TREE_HEAD_MESSAGE_LENGTH


def test_tree_head_message_accepts_bytes_like_roots():
    assert tree_head_message(1, bytearray(32), 1) == tree_head_message(1, memoryview(bytes(32)), 1)


@pytest.mark.parametrize(
    ("size", "root", "timestamp_ms", "error", "match"),
    [
        (-1, bytes(32), 0, ValueError, "size must be between 0 and 2"),
        (2**64, bytes(32), 0, ValueError, "size must be between 0 and 2"),
        (0, bytes(32), -1, ValueError, "timestamp_ms must be between"),
        (0, bytes(32), 2**64, ValueError, "timestamp_ms must be between"),
        (0, bytes(31), 0, ValueError, "32-byte SHA-256 hash, got 31"),
        (0, bytes(33), 0, ValueError, "32-byte SHA-256 hash, got 33"),
        (0, "00" * 32, 0, TypeError, "root must be the 32 raw hash bytes, got str"),
        (1.0, bytes(32), 0, TypeError, "size must be an integer, got float"),
        (True, bytes(32), 0, TypeError, "size must be an integer, got bool"),
        (0, bytes(32), "1", TypeError, "timestamp_ms must be an integer, got str"),
    ],
)
def test_tree_head_message_refuses_bad_fields(size, root, timestamp_ms, error, match):
    with pytest.raises(error, match=match):
        tree_head_message(size, root, timestamp_ms)


def test_tree_head_signature_verifies_and_any_bit_flip_breaks_it(key):
    message = tree_head_message(1234, hashlib.sha256(b"root").digest(), 1_700_000_000_000)
    signature = sign(key, message)
    public_key = key.public_key()
    assert verify_signature(public_key, message, signature)
    for bit in range(len(message) * 8):
        assert not verify_signature(public_key, _flip_bit(message, bit), signature), f"message bit {bit}"
    for bit in range(len(signature) * 8):
        assert not verify_signature(public_key, message, _flip_bit(signature, bit)), f"signature bit {bit}"


# --- Key text and PEM forms --------------------------------------------------------------------


def test_public_key_text_form(key):
    text = public_key_text(key)
    assert text == public_key_text(key.public_key())
    assert text.startswith("ed25519:")
    assert base64.b64decode(text.removeprefix("ed25519:"), validate=True) == _raw(key.public_key())


def test_public_key_round_trips_through_every_accepted_form(key):
    raw = _raw(key.public_key())
    pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    forms = [
        public_key_text(key),
        f"  {public_key_text(key)}\n",
        pem.decode(),
        base64.b64encode(raw).decode(),
    ]
    for form in forms:
        assert _raw(load_public_key(form)) == raw, form


def test_rfc8410_example_pem_loads():
    der = base64.b64decode(RFC8410_PUBLIC_PEM.splitlines()[1])
    assert _raw(load_public_key(RFC8410_PUBLIC_PEM)) == der[-32:]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("ed25519:", "32 bytes, this one is 0"),
        ("ed25519:not base64!", "not valid base64"),
        ("ed25519:" + base64.b64encode(bytes(31)).decode(), "32 bytes, this one is 31"),
        (base64.b64encode(bytes(33)).decode(), "32 bytes, this one is 33"),
        ("rsa:AAAA", "unsupported public key type 'rsa'"),
        ("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "not a PEM SubjectPublicKeyInfo"),
        ("élan", "not valid base64"),
    ],
)
def test_load_public_key_refuses_junk(text, match):
    with pytest.raises(ValueError, match=match):
        load_public_key(text)


def test_load_public_key_refuses_other_algorithms():
    pem = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(ValueError, match="not an Ed25519 key"):
        load_public_key(pem.decode())


def test_load_public_key_refuses_a_private_key_pem(key):
    with pytest.raises(ValueError, match="not a PEM SubjectPublicKeyInfo"):
        load_public_key(private_key_to_pem(key).decode())


def test_private_key_pem_round_trip(key):
    pem = private_key_to_pem(key)
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----\n")
    assert _raw(load_private_key(pem).public_key()) == _raw(key.public_key())
    assert sign(load_private_key(pem), b"m") == sign(key, b"m")


def test_load_private_key_refuses_encrypted_pem(key):
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"password"),
    )
    with pytest.raises(ValueError, match="encrypted"):
        load_private_key(pem)


def test_load_private_key_refuses_other_algorithms():
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(ValueError, match="not an Ed25519 key"):
        load_private_key(pem)


@pytest.mark.parametrize("data", [b"", b"junk", b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"])
def test_load_private_key_refuses_junk(data):
    with pytest.raises(ValueError, match="not a PKCS#8 PEM private key"):
        load_private_key(data)


# --- Key file ------------------------------------------------------------------------------------


@posix_only
def test_key_file_is_created_0600_in_a_new_0700_directory(tmp_path, umask_zero):
    path = tmp_path / "new" / "ledger" / KEY_FILENAME
    key = load_or_create_key_file(path)
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    assert _raw(load_private_key(path.read_bytes()).public_key()) == _raw(key.public_key())


def test_key_file_leaves_no_temporary_file(tmp_path):
    load_or_create_key_file(tmp_path / KEY_FILENAME)
    assert [p.name for p in tmp_path.iterdir()] == [KEY_FILENAME]


@posix_only
def test_an_existing_directory_keeps_its_mode(tmp_path):
    os.chmod(tmp_path, 0o755)
    load_or_create_key_file(tmp_path / KEY_FILENAME)
    assert _mode(tmp_path) == 0o755


def test_key_file_is_reused_on_the_second_call(tmp_path):
    path = tmp_path / KEY_FILENAME
    first = load_or_create_key_file(path)
    content = path.read_bytes()
    second = load_or_create_key_file(path)
    assert _raw(second.public_key()) == _raw(first.public_key())
    assert path.read_bytes() == content


@posix_only
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o606, 0o610])
def test_key_file_open_to_group_or_others_is_refused(tmp_path, mode):
    path = tmp_path / KEY_FILENAME
    path.write_bytes(private_key_to_pem(generate_private_key()))
    os.chmod(path, mode)
    with pytest.raises(KeyFileError) as caught:
        load_or_create_key_file(path)
    message = str(caught.value)
    assert str(path) in message
    assert f"chmod 600 {path}" in message
    assert f"mode {mode:04o}" in message
    assert caught.value.path == path


@posix_only
def test_owner_read_only_key_file_is_accepted(tmp_path):
    path = tmp_path / KEY_FILENAME
    key = generate_private_key()
    path.write_bytes(private_key_to_pem(key))
    os.chmod(path, 0o400)
    assert _raw(load_or_create_key_file(path).public_key()) == _raw(key.public_key())


def test_key_file_that_is_not_a_key_is_refused_with_its_path(tmp_path):
    path = tmp_path / KEY_FILENAME
    path.write_bytes(b"not a key")
    if os.name == "posix":
        os.chmod(path, 0o600)
    with pytest.raises(KeyFileError, match=f"^{re.escape(str(path))}: not a PKCS#8 PEM private key"):
        load_or_create_key_file(path)


def test_key_file_error_is_a_domain_value_error():
    assert issubclass(KeyFileError, ZerocityError)
    assert issubclass(KeyFileError, ValueError)


def test_a_key_created_meanwhile_by_another_process_is_kept(tmp_path, monkeypatch):
    path = tmp_path / KEY_FILENAME
    other = generate_private_key()
    real_link = os.link

    def racing_link(source, destination):
        # Another process wins the race between our existence check and our link.
        Path(destination).write_bytes(private_key_to_pem(other))
        if os.name == "posix":
            os.chmod(destination, 0o600)
        real_link(source, destination)  # raises FileExistsError, as the real race would

    monkeypatch.setattr(signing.os, "link", racing_link)
    key = load_or_create_key_file(path)
    assert _raw(key.public_key()) == _raw(other.public_key())
    assert path.read_bytes() == private_key_to_pem(other)
    assert [p.name for p in tmp_path.iterdir()] == [KEY_FILENAME]


@posix_only
def test_without_hard_links_the_key_file_is_replaced_into_place(tmp_path, monkeypatch, umask_zero):
    def no_link(source, destination):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(signing.os, "link", no_link)
    path = tmp_path / KEY_FILENAME
    key = load_or_create_key_file(path)
    assert _mode(path) == 0o600
    assert _raw(load_private_key(path.read_bytes()).public_key()) == _raw(key.public_key())
    assert [p.name for p in tmp_path.iterdir()] == [KEY_FILENAME]


# --- Platform key path ----------------------------------------------------------------------------


def test_platform_key_path_follows_the_environment_variable(tmp_path, monkeypatch):
    monkeypatch.setenv(LEDGER_KEY_ENV, str(tmp_path / "keys" / "mine.pem"))
    assert platform_key_path() == tmp_path / "keys" / "mine.pem"


def test_platform_key_path_defaults_to_the_store_data_directory(tmp_path, monkeypatch):
    monkeypatch.delenv(LEDGER_KEY_ENV, raising=False)
    monkeypatch.setenv("ZEROCITY_DATA_DIR", str(tmp_path / "data"))
    assert platform_key_path() == tmp_path / "data" / "ledger" / "platform_ed25519.pem"


def test_an_empty_environment_variable_means_the_default(tmp_path, monkeypatch):
    monkeypatch.setenv(LEDGER_KEY_ENV, "")
    monkeypatch.setenv("ZEROCITY_DATA_DIR", str(tmp_path / "data"))
    assert platform_key_path() == tmp_path / "data" / "ledger" / KEY_FILENAME


@posix_only
def test_platform_key_is_created_where_the_override_points(tmp_path, monkeypatch, umask_zero):
    target = tmp_path / "override" / "platform.pem"
    monkeypatch.setenv(LEDGER_KEY_ENV, str(target))
    key = load_or_create_key_file(platform_key_path())
    assert _mode(target) == 0o600
    assert _mode(target.parent) == 0o700
    assert _raw(load_or_create_key_file(platform_key_path()).public_key()) == _raw(key.public_key())
