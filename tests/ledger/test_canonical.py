"""Canonical JSON (RFC 8785) of ledger entries and the SHA-256 helpers.

Expected bytes come from published references, never from the code under test:

- RFC 8785 section 3.2.3 (property sorting example) and Appendix B (number serialisation
  table: IEEE 754 bit pattern -> text), as reproduced in the test suite of the ``rfc8785``
  package (trailofbits/rfc8785.py, test/test_impl.py) and in several JCS implementations;
- the reference implementation's test data, cyberphone/json-canonicalization: README.md (sample
  input with its expected output as UTF-8 hex) and testdata/input/*.json -> testdata/output/*.json;
- FIPS 180-2 Appendix B.1 and the SHA-256 of the empty string for the digests.
"""

from __future__ import annotations

import enum
import hashlib
import json
import math
import struct
from collections import OrderedDict
from datetime import UTC, datetime
from decimal import Decimal
from types import MappingProxyType

import numpy as np
import pytest
import rfc8785

from zerocity.errors import ZerocityError
from zerocity.ledger.canonical import (
    MAX_SAFE_INTEGER,
    CanonicalJSONError,
    CanonicalJSONTypeError,
    bytes_sha256,
    canonical_hash,
    canonical_json,
    file_sha256,
)

# --- RFC 8785 and reference test data ------------------------------------------------------

# RFC 8785 section 3.2.3: the input is JSON text with \u escapes (parsed here as the RFC says a
# JCS implementation receives it). Sorting is by UTF-16 code units, so the emoji (surrogates
# D83D DE00) comes before U+FB33, although its code point U+1F600 is larger.
RFC8785_SORTING_INPUT = r"""{
  "\u20ac": "Euro Sign",
  "\r": "Carriage Return",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "1": "One",
  "\ud83d\ude00": "Emoji: Grinning Face",
  "\u0080": "Control",
  "\u00f6": "Latin Small Letter O With Diaeresis"
}"""
RFC8785_SORTING_OUTPUT = (
    b'{"\\r":"Carriage Return","1":"One","\xc2\x80":"Control",'
    b'"\xc3\xb6":"Latin Small Letter O With Diaeresis","\xe2\x82\xac":"Euro Sign",'
    b'"\xf0\x9f\x98\x80":"Emoji: Grinning Face","\xef\xac\xb3":"Hebrew Letter Dalet With Dagesh"}'
)

# cyberphone/json-canonicalization README.md: sample input, and the expected output "converted
# to UTF-8 ... shown in hexadecimal notation" (copied byte for byte).
CYBERPHONE_README_INPUT = r"""{
  "numbers": [1E30,4.50,6,2e-3,0.000000000000000000000000001],
  "escaping": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "other":  [null, true, false]
}"""
CYBERPHONE_README_HEX = """
7b 22 65 73 63 61 70 69 6e 67 22 3a 22 e2 82 ac 24 5c 75 30 30 30 66 5c 6e 41 27 42 5c 22 5c 5c
5c 5c 5c 22 2f 22 2c 22 6e 75 6d 62 65 72 73 22 3a 5b 31 65 2b 33 30 2c 34 2e 35 2c 36 2c 30 2e
30 30 32 2c 31 65 2d 32 37 5d 2c 22 6f 74 68 65 72 22 3a 5b 6e 75 6c 6c 2c 74 72 75 65 2c 66 61
6c 73 65 5d 7d
"""

# cyberphone/json-canonicalization testdata: (name, input/<name>.json, output/<name>.json).
# Outputs are written with Python escapes for the non-ASCII characters of the published files.
CYBERPHONE_TESTDATA = [
    (
        "values",
        r"""{
  "numbers": [1E30, 4.50, 333333333.33333329, 2e-3, 0.000000000000000000000000001],
  "escaping": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}""",
        '{"escaping":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/","literals":[null,true,false],'
        '"numbers":[1e+30,4.5,333333333.3333333,0.002,1e-27]}',
    ),
    (
        "weird",
        r"""{
  "\u20ac": "Euro Sign",
  "1": "One",
  "\u0080": "Control\u007f",
  "\ud83d\ude02": "Smiley",
  "\u00f6": "Latin Small Letter O With Diaeresis",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "</script>": "Browser Challenge"
}""",
        '{"1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f",'
        '"\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\U0001f602":"Smiley",'
        '"\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    ),
    (
        "structures",
        """{
  "1": {"f": {"f": "hi","F": 5} ,"\\n": 56.0},
  "10": { },
  "": "empty",
  "a": { },
  "111": [ { } ],
  "A": { }
}""",
        '{"":"empty","1":{"\\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{}],"A":{},"a":{}}',
    ),
    (
        # No Unicode normalisation: the two code points stay as they are.
        "unicode",
        r"""{"Unnormalized Unicode":"\u1e0d\u0307"}""",
        '{"Unnormalized Unicode":"\u1e0d\u0307"}',
    ),
]

# RFC 8785 Appendix B: IEEE 754 double (big-endian hex) -> canonical text; None = must refuse.
RFC8785_NUMBERS = [
    ("0000000000000000", b"0"),
    ("8000000000000000", b"0"),  # minus zero
    ("0000000000000001", b"5e-324"),
    ("8000000000000001", b"-5e-324"),
    ("7fefffffffffffff", b"1.7976931348623157e+308"),
    ("ffefffffffffffff", b"-1.7976931348623157e+308"),
    ("4340000000000000", b"9007199254740992"),
    ("c340000000000000", b"-9007199254740992"),
    ("4430000000000000", b"295147905179352830000"),
    ("44b52d02c7e14af5", b"9.999999999999997e+22"),
    ("44b52d02c7e14af6", b"1e+23"),
    ("44b52d02c7e14af7", b"1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", b"999999999999999700000"),
    ("444b1ae4d6e2ef4f", b"999999999999999900000"),
    ("444b1ae4d6e2ef50", b"1e+21"),
    ("3eb0c6f7a0b5ed8c", b"9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", b"0.000001"),
    ("41b3de4355555553", b"333333333.3333332"),
    ("41b3de4355555554", b"333333333.33333325"),
    ("41b3de4355555555", b"333333333.3333333"),
    ("41b3de4355555556", b"333333333.3333334"),
    ("41b3de4355555557", b"333333333.33333343"),
    ("becbf647612f3696", b"-0.0000033333333333333333"),
    ("43143ff3c1cb0959", b"1424953923781206.2"),
]
RFC8785_NOT_NUMBERS = [("7fffffffffffffff", "NaN"), ("7ff0000000000000", "Infinity")]


def _double(hex_ieee: str) -> float:
    (value,) = struct.unpack(">d", bytes.fromhex(hex_ieee))
    return value


def test_rfc8785_sorts_keys_by_utf16_code_units():
    assert canonical_json(json.loads(RFC8785_SORTING_INPUT)) == RFC8785_SORTING_OUTPUT


def test_cyberphone_readme_sample_matches_published_utf8_bytes():
    expected = bytes.fromhex(CYBERPHONE_README_HEX)
    assert canonical_json(json.loads(CYBERPHONE_README_INPUT)) == expected


@pytest.mark.parametrize(("name", "source", "expected"), CYBERPHONE_TESTDATA, ids=[c[0] for c in CYBERPHONE_TESTDATA])
def test_cyberphone_testdata(name, source, expected):
    assert canonical_json(json.loads(source)) == expected.encode("utf-8")


@pytest.mark.parametrize(("hex_ieee", "expected"), RFC8785_NUMBERS)
def test_rfc8785_appendix_b_numbers(hex_ieee, expected):
    assert canonical_json(_double(hex_ieee)) == expected


@pytest.mark.parametrize(("hex_ieee", "name"), RFC8785_NOT_NUMBERS)
def test_rfc8785_appendix_b_nan_and_infinity_are_refused(hex_ieee, name):
    with pytest.raises(CanonicalJSONError, match=f"^<root>: {name} is not allowed in canonical JSON$"):
        canonical_json(_double(hex_ieee))


# --- Serialisation rules pinned one by one --------------------------------------------------


def test_member_order_of_the_input_does_not_matter():
    assert canonical_json({"b": 1, "a": [2, {"d": 3, "c": 4}]}) == b'{"a":[2,{"c":4,"d":3}],"b":1}'
    assert canonical_json({"b": 1, "a": 2}) == canonical_json({"a": 2, "b": 1})


def test_array_order_is_kept():
    assert canonical_json([3, 1, 2]) == b"[3,1,2]"


def test_strings_escape_only_quote_backslash_and_controls():
    # RFC 8785 section 3.2.2.2: \b \t \n \f \r as two characters, other controls as lowercase
    # \u00xx; '/', DEL (U+007F) and non-ASCII are written as they are, in UTF-8.
    value = '"\\/\b\f\n\r\t\u0000\u001f\u007f\u20ac'
    assert canonical_json(value) == b'"\\"\\\\/\\b\\f\\n\\r\\t\\u0000\\u001f\x7f\xe2\x82\xac"'


def test_minus_zero_is_zero():
    assert canonical_json(-0.0) == b"0"
    assert canonical_json(np.float64(-0.0)) == b"0"


def test_integral_floats_are_written_without_fraction():
    assert canonical_json([4.0, 56.0, 1e20]) == b"[4,56,100000000000000000000]"


def test_literals():
    assert canonical_json([None, True, False]) == b"[null,true,false]"


def test_round_trip_of_a_ledger_entry():
    entry = {"kind": "inventory", "payload": {"rows": [{"amount": 12.5, "unit": "t"}], "year": 2024}}
    assert json.loads(canonical_json(entry)) == entry


# --- Integers: the I-JSON range ---------------------------------------------------------------


def test_largest_safe_integers_are_accepted():
    assert canonical_json([MAX_SAFE_INTEGER, -MAX_SAFE_INTEGER]) == b"[9007199254740991,-9007199254740991]"


@pytest.mark.parametrize("value", [2**53, -(2**53), 2**64, 10**30])
def test_integers_beyond_2_to_the_53_are_refused(value):
    # rfc8785 itself raises IntegerDomainError here; we refuse first, with the path.
    with pytest.raises(CanonicalJSONError, match=r"^totals\.count: integer .* store it as a string"):
        canonical_json({"totals": {"count": value}})


def test_rfc8785_package_range_is_the_one_we_enforce():
    # Pins the library's own behaviour (rfc8785 0.1.x): exactly 2**53 - 1 passes, one more raises
    # IntegerDomainError (a ValueError). If an upgrade changes that, our pre-check needs a look.
    assert rfc8785.dumps(MAX_SAFE_INTEGER) == b"9007199254740991"
    assert rfc8785.dumps(-MAX_SAFE_INTEGER) == b"-9007199254740991"
    for value in (MAX_SAFE_INTEGER + 1, -MAX_SAFE_INTEGER - 1):
        with pytest.raises(rfc8785.IntegerDomainError):
            rfc8785.dumps(value)


def test_a_float_of_2_to_the_53_is_already_a_double_and_accepted():
    assert canonical_json(float(2**53)) == b"9007199254740992"


# --- numpy scalars and Python subclasses ------------------------------------------------------


def test_numpy_scalars_become_python_numbers():
    value = {"i": np.int64(3), "u": np.uint8(255), "f": np.float64(0.1), "h": np.float32(0.5), "b": np.bool_(True)}
    assert canonical_json(value) == b'{"b":true,"f":0.1,"h":0.5,"i":3,"u":255}'


def test_numpy_float32_is_written_as_the_double_it_holds():
    assert canonical_json(np.float32(0.1)) == b"0.10000000149011612"


def test_numpy_integer_beyond_2_to_the_53_is_refused():
    with pytest.raises(CanonicalJSONError, match=r"^n: integer"):
        canonical_json({"n": np.uint64(2**64 - 1)})


def test_numpy_nan_is_refused():
    with pytest.raises(CanonicalJSONError, match=r"^x\[1\]: NaN is not allowed"):
        canonical_json({"x": [1.0, np.float64("nan")]})


@pytest.mark.skipif(np.dtype(np.longdouble).itemsize <= 8, reason="longdouble is a plain double here")
def test_extended_precision_is_refused():
    with pytest.raises(CanonicalJSONTypeError, match="more precision"):
        canonical_json(np.longdouble(1) / 3)


def test_enum_subclasses_of_int_and_str_are_their_values():
    class Gas(enum.StrEnum):
        CO2 = "CO2"

    class Scope(enum.IntEnum):
        ONE = 1

    assert canonical_json({Gas.CO2: Scope.ONE, "g": Gas.CO2}) == b'{"CO2":1,"g":"CO2"}'


def test_tuples_are_arrays_and_mappings_are_objects():
    assert canonical_json((1, 2)) == b"[1,2]"
    assert canonical_json(MappingProxyType({"b": 1, "a": 2})) == b'{"a":2,"b":1}'
    assert canonical_json(OrderedDict([("b", 1), ("a", 2)])) == b'{"a":2,"b":1}'


def test_a_container_shared_by_two_members_is_not_a_cycle():
    shared = [1]
    assert canonical_json({"a": shared, "b": shared}) == b'{"a":[1],"b":[1]}'


# --- Refusals name the path -------------------------------------------------------------------


def test_nan_is_refused_with_its_path():
    with pytest.raises(CanonicalJSONError) as caught:
        canonical_json({"payload": {"amount": math.nan}})
    assert str(caught.value) == "payload.amount: NaN is not allowed in canonical JSON"
    assert caught.value.path == "payload.amount"


@pytest.mark.parametrize(("value", "message"), [(math.inf, "Infinity"), (-math.inf, "-Infinity")])
def test_infinities_are_refused_with_their_path(value, message):
    with pytest.raises(CanonicalJSONError, match=rf"^rows\[1\]\.x: {message} is not allowed"):
        canonical_json({"rows": [{"x": 1}, {"x": value}]})


def test_paths_quote_keys_that_are_not_plain_names():
    with pytest.raises(CanonicalJSONError, match=r'^\["a\.b"\]\[0\]\["t CO2"\]: NaN'):
        canonical_json({"a.b": [{"t CO2": math.nan}]})


def test_non_string_keys_are_refused():
    with pytest.raises(CanonicalJSONTypeError, match=r"^meta: object key 1 \(int\) is not a string"):
        canonical_json({"meta": {1: "one"}})


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (Decimal("1.5"), "Decimal"),
        (datetime(2024, 1, 1, tzinfo=UTC), "datetime"),
        ({1, 2}, "set"),
        (b"\x00", "bytes"),
        (np.array([1.0, 2.0]), "ndarray"),
        (np.datetime64("2024-01-01"), "datetime64"),
        (np.complex128(1j), "complex128"),
        (1j, "complex"),
        (object(), "object"),
    ],
)
def test_unsupported_types_are_refused(value, kind):
    with pytest.raises(CanonicalJSONTypeError, match=rf"^entry\.value: {kind} is not supported in canonical JSON"):
        canonical_json({"entry": {"value": value}})


def test_plain_enum_members_are_refused():
    class Status(enum.Enum):
        OK = "ok"

    with pytest.raises(CanonicalJSONTypeError, match="Status is not supported"):
        canonical_json(Status.OK)


@pytest.mark.parametrize("value", [{"s": "a\ud800b"}, {"a\udfffb": 1}])
def test_lone_surrogates_are_refused(value):
    with pytest.raises(CanonicalJSONError, match="lone surrogate"):
        canonical_json(value)


def test_cycles_are_refused():
    looped: dict[str, object] = {}
    looped["self"] = [looped]
    with pytest.raises(CanonicalJSONError, match=r"^self\[0\]: circular reference"):
        canonical_json(looped)


def test_error_classes_fit_the_builtin_ones():
    assert issubclass(CanonicalJSONError, ValueError)
    assert issubclass(CanonicalJSONError, ZerocityError)
    assert issubclass(CanonicalJSONTypeError, TypeError)
    assert issubclass(CanonicalJSONTypeError, CanonicalJSONError)


# --- Digests ------------------------------------------------------------------------------------

SHA256_EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
SHA256_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"  # FIPS 180-2 B.1


def test_bytes_sha256_known_digests():
    assert bytes_sha256(b"") == SHA256_EMPTY
    assert bytes_sha256(b"abc") == SHA256_ABC
    assert bytes_sha256(bytearray(b"abc")) == SHA256_ABC


def test_canonical_hash_is_the_sha256_of_the_canonical_bytes():
    expected = hashlib.sha256(bytes.fromhex(CYBERPHONE_README_HEX)).hexdigest()
    assert canonical_hash(json.loads(CYBERPHONE_README_INPUT)) == expected


def test_canonical_hash_ignores_member_order():
    assert canonical_hash({"a": 1, "b": [1, 2]}) == canonical_hash({"b": [1, 2], "a": 1})
    assert canonical_hash({"a": 1}) != canonical_hash({"a": 1.5})


def test_file_sha256_known_digests(tmp_path):
    empty, abc = tmp_path / "empty.bin", tmp_path / "abc.txt"
    empty.write_bytes(b"")
    abc.write_bytes(b"abc")
    assert file_sha256(empty) == SHA256_EMPTY
    assert file_sha256(abc) == SHA256_ABC
    assert file_sha256(str(abc), chunk=1) == SHA256_ABC


@pytest.mark.parametrize("chunk", [1, 7, 4096, 1 << 20])
def test_file_sha256_does_not_depend_on_the_chunk_size(tmp_path, chunk):
    data = np.random.default_rng(8785).integers(0, 256, size=10_007, dtype=np.uint8).tobytes()
    path = tmp_path / "data.bin"
    path.write_bytes(data)
    assert file_sha256(path, chunk=chunk) == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("chunk", [0, -1])
def test_file_sha256_refuses_a_non_positive_chunk(tmp_path, chunk):
    path = tmp_path / "x"
    path.write_bytes(b"x")
    with pytest.raises(ValueError, match="chunk must be a positive"):
        file_sha256(path, chunk=chunk)
