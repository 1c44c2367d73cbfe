"""The json.dumps fast path of canonical_json writes exactly what the RFC 8785 reference encoder writes."""

from __future__ import annotations

import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from zerocity.ledger.canonical import canonical_json

# Keys and strings across the planes (astral characters make key order differ between code point
# and UTF-16 sorting), floats of every magnitude (exponent forms differ between Python and JS).
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=8)
floats = st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from(
    [1e-7, 1e-5, 1e-4, 0.1, 4.5, 2.0**53, -(2.0**53), 1e15 + 0.5, 1e16, 1e21, 1e-27, 333333333.33333329, -0.0]
)
scalars = st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | floats | text
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4))


def _reference(value: object) -> bytes:
    """rfc8785 on the same value, with integral floats given as the numbers JCS means."""

    def norm(v: object) -> object:
        if isinstance(v, float) and v.is_integer() and abs(v) <= 2**53 - 1:
            return int(v)
        if isinstance(v, list):
            return [norm(x) for x in v]
        if isinstance(v, dict):
            return {k: norm(x) for k, x in v.items()}
        return v

    return rfc8785.dumps(norm(value))


@settings(max_examples=600, deadline=None)
@given(values)
def test_fast_path_equals_the_reference_encoder(value: object) -> None:
    assert canonical_json(value) == _reference(value)


def test_astral_keys_sort_by_utf16_code_units() -> None:
    # U+1F600 (surrogates D83D DE00) sorts before U+FB33 in UTF-16 but after it by code point.
    value = {"\ufb33": 1, "\U0001f600": 2}
    assert canonical_json(value) == rfc8785.dumps(value)
    assert canonical_json(value).index("\U0001f600".encode()) < canonical_json(value).index("\ufb33".encode())


def test_small_and_large_floats_use_the_ecmascript_form() -> None:
    assert canonical_json([1e-7, 1e21, 4.0, 2.0**53]) == b"[1e-7,1e+21,4,9007199254740992]"
