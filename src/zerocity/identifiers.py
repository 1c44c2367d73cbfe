"""Chinese organisation identifiers: the unified social credit code (统一社会信用代码).

The unified social credit code (USCC) is the 18-character identifier every legal entity and
other organisation in mainland China carries since 2015 (GB 32100-2015 *Coding rule of the
unified social credit identifier for legal entities and other organizations*). Its layout:

====================  =========  ==========================================================
positions (1-based)   length     content
====================  =========  ==========================================================
1                     1          registration department (``9`` market regulation, ``5``
                                 civil affairs, ``1`` institutional staffing, ...)
2                     1          organisation category within that department
3-8                   6          administrative-division code of the registering authority
                                 (GB/T 2260)
9-17                  9          organisation code (GB 11714-1997): 8 body characters and a
                                 check digit (``0``-``9`` or ``X``)
18                    1          check character over positions 1-17 (GB/T 17710, ISO 7064
                                 hybrid system, modulus 31)
====================  =========  ==========================================================

The character set is the 10 digits and 21 upper-case letters ``ABCDEFGHJKLMNPQRTUWXY``;
``I``, ``O``, ``S``, ``V`` and ``Z`` are never used (GB 32100-2015, clause 4).

This module validates codes (:func:`validate_uscc`), computes check characters
(:func:`uscc_check_character`, :func:`organization_code_check_digit`) and builds synthetic but
valid codes (:func:`make_uscc`, :func:`random_uscc`) for the demo city.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from zerocity.errors import ZerocityError

__all__ = [
    "REGISTRATION_DEPARTMENTS",
    "USCC_CHARSET",
    "USCC_WEIGHTS",
    "InvalidIdentifierError",
    "is_valid_uscc",
    "make_uscc",
    "organization_code_check_digit",
    "random_uscc",
    "uscc_check_character",
    "validate_uscc",
]

USCC_CHARSET: Final[str] = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters a USCC may contain, in value order (``0`` = 0 ... ``Y`` = 30)."""

USCC_WEIGHTS: Final[tuple[int, ...]] = (
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
)  # fmt: skip
"""Weights of positions 1-17 for the check character (3^(i-1) mod 31)."""

REGISTRATION_DEPARTMENTS: Final[dict[str, str]] = {
    "1": "institutional staffing (机构编制)",
    "2": "foreign affairs (外交)",
    "3": "judicial administration (司法行政)",
    "4": "culture (文化)",
    "5": "civil affairs (民政)",
    "6": "tourism (旅游)",
    "7": "religious affairs (宗教)",
    "8": "trade unions (工会)",
    "9": "market regulation / industry and commerce (工商)",
    "A": "Central Military Commission staffing office (中央军委改革和编制办公室)",
    "N": "agriculture (农业)",
    "Y": "other (其他)",
}
"""Registration-department codes allowed in position 1 (GB 32100-2015, Table 1)."""

_VALUE: Final[dict[str, int]] = {c: i for i, c in enumerate(USCC_CHARSET)}
_FORBIDDEN_LETTERS: Final[str] = "IOSVZ"
# GB 11714-1997: the organisation code body is valued 0-9 for digits and A=10 ... Z=35.
_ORG_WEIGHTS: Final[tuple[int, ...]] = (3, 7, 9, 10, 5, 8, 4, 2)


class InvalidIdentifierError(ZerocityError, ValueError):
    """An identifier that does not follow its coding rule; the message says which rule."""

    code = "invalid_identifier"


def _org_value(char: str) -> int:
    """Value of one organisation-code body character under GB 11714-1997 (A=10 ... Z=35)."""
    if char.isdigit():
        return int(char)
    return ord(char) - ord("A") + 10


def uscc_check_character(first17: str) -> str:
    """Check character (position 18) of a unified social credit code.

    Parameters
    ----------
    first17 : str
        Positions 1-17 of the code, upper case, from :data:`USCC_CHARSET`.

    Returns
    -------
    str
        The check character: ``USCC_CHARSET[(31 - sum(value_i * weight_i) mod 31) mod 31]``.

    Raises
    ------
    InvalidIdentifierError
        When ``first17`` is not 17 characters of the USCC character set.
    """
    if not isinstance(first17, str) or len(first17) != 17:
        raise InvalidIdentifierError(f"USCC check character needs the first 17 characters, got {first17!r}")
    for position, char in enumerate(first17, start=1):
        if char not in _VALUE:
            raise InvalidIdentifierError(_bad_character_message(char, position))
    total = sum(_VALUE[c] * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def organization_code_check_digit(body: str) -> str:
    """Check digit of an organisation code (GB 11714-1997), USCC positions 9-16 -> 17.

    Parameters
    ----------
    body : str
        The 8 body characters (digits or upper-case letters).

    Returns
    -------
    str
        ``11 - (sum(value_i * weight_i) mod 11)`` with weights 3, 7, 9, 10, 5, 8, 4, 2,
        written ``X`` for 10 and ``0`` for 11.

    Raises
    ------
    InvalidIdentifierError
        When ``body`` is not 8 digits or upper-case letters.
    """
    if not isinstance(body, str) or len(body) != 8:
        raise InvalidIdentifierError(f"organisation code body must be 8 characters, got {body!r}")
    for position, char in enumerate(body, start=1):
        if not (char.isdigit() or "A" <= char <= "Z") or not char.isascii():
            raise InvalidIdentifierError(
                f"organisation code body character {char!r} at position {position} is not a "
                "digit or an upper-case letter"
            )
    remainder = 11 - sum(_org_value(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True)) % 11
    if remainder == 10:
        return "X"
    if remainder == 11:
        return "0"
    return str(remainder)


def _bad_character_message(char: str, position: int) -> str:
    """Why ``char`` at 1-based ``position`` cannot be part of a USCC."""
    if char.isascii() and char.islower():
        return (
            f"character {char!r} at position {position} is lower case; a unified social credit "
            "code is written in upper case only"
        )
    if char.upper() in _FORBIDDEN_LETTERS and char.isascii():
        return (
            f"character {char!r} at position {position} is not allowed: the letters I, O, S, V "
            "and Z are never used in a unified social credit code (GB 32100-2015)"
        )
    return (
        f"character {char!r} at position {position} is not allowed: a unified social credit "
        f"code uses only the digits and the letters {USCC_CHARSET[10:]}"
    )


def validate_uscc(code: str) -> None:
    """Check a unified social credit code; return quietly when it is valid.

    Checks, in order: type and length (18), character set (upper case, no I/O/S/V/Z),
    registration-department code (position 1), administrative-division code (positions 3-8 are
    digits), the organisation-code check digit (position 17, GB 11714-1997) and the check
    character (position 18, GB 32100-2015).

    Parameters
    ----------
    code : str
        The code as written, without spaces.

    Raises
    ------
    InvalidIdentifierError
        On the first rule the code breaks; the message names the rule, the position and the
        expected value where there is one.
    """
    if not isinstance(code, str):
        raise InvalidIdentifierError(f"a unified social credit code must be a string, got {type(code).__name__}")
    if len(code) != 18:
        raise InvalidIdentifierError(f"a unified social credit code has 18 characters, {code!r} has {len(code)}")
    for position, char in enumerate(code, start=1):
        if char not in _VALUE:
            raise InvalidIdentifierError(f"{code!r}: " + _bad_character_message(char, position))
    if code[0] not in REGISTRATION_DEPARTMENTS:
        raise InvalidIdentifierError(
            f"{code!r}: registration department code {code[0]!r} (position 1) is not one of "
            f"{', '.join(REGISTRATION_DEPARTMENTS)} (GB 32100-2015, Table 1)"
        )
    if not code[2:8].isdigit():
        raise InvalidIdentifierError(
            f"{code!r}: the administrative-division code (positions 3-8) must be 6 digits, got {code[2:8]!r}"
        )
    expected_org = organization_code_check_digit(code[8:16])
    if code[16] != expected_org:
        raise InvalidIdentifierError(
            f"{code!r}: the organisation code {code[8:17]!r} (positions 9-17) has a bad check "
            f"digit: GB 11714-1997 gives {expected_org!r} for {code[8:16]!r}, found {code[16]!r}"
        )
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        raise InvalidIdentifierError(
            f"{code!r}: bad check character (position 18): expected {expected!r}, found {code[17]!r}"
        )


def is_valid_uscc(code: str) -> bool:
    """``True`` when :func:`validate_uscc` accepts ``code``."""
    try:
        validate_uscc(code)
    except InvalidIdentifierError:
        return False
    return True


def make_uscc(department: str, category: str, region: str, body: str) -> str:
    """Assemble a valid unified social credit code from its parts.

    Parameters
    ----------
    department : str
        Registration department code, one of :data:`REGISTRATION_DEPARTMENTS` (``"9"`` for
        companies registered by market regulation).
    category : str
        Organisation category, one character of :data:`USCC_CHARSET` (``"1"`` enterprise,
        ``"2"`` individual business, ``"3"`` farmers' cooperative under department 9).
    region : str
        Six-digit administrative-division code of the registering authority.
    body : str
        Eight body characters of the organisation code (digits or letters of
        :data:`USCC_CHARSET`).

    Returns
    -------
    str
        The 18-character code with the organisation-code check digit and the check character.

    Raises
    ------
    InvalidIdentifierError
        When a part does not fit its rule (the message names the part).
    """
    if department not in REGISTRATION_DEPARTMENTS:
        raise InvalidIdentifierError(f"unknown registration department code {department!r}")
    if len(category) != 1 or category not in _VALUE:
        raise InvalidIdentifierError(f"organisation category must be one character, {category!r}")
    if len(region) != 6 or not region.isdigit():
        raise InvalidIdentifierError(f"region must be a 6-digit division code, got {region!r}")
    if len(body) != 8 or any(c not in _VALUE for c in body):
        raise InvalidIdentifierError(f"organisation code body must be 8 characters of {USCC_CHARSET}, got {body!r}")
    first17 = department + category + region + body + organization_code_check_digit(body)
    code = first17 + uscc_check_character(first17)
    validate_uscc(code)
    return code


def random_uscc(
    rng: np.random.Generator,
    region: str,
    *,
    department: str = "9",
    category: str = "1",
    new_style_share: float = 0.3,
) -> str:
    """A synthetic, valid USCC with a random organisation-code body.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness (the caller's seeded generator).
    region : str
        Six-digit administrative-division code.
    department, category : str
        See :func:`make_uscc`.
    new_style_share : float
        Probability [unitless, 0-1] of a post-2015 ``MA``-series body (``MA`` + 6 characters
        of :data:`USCC_CHARSET`); otherwise an 8-digit legacy organisation code.

    Returns
    -------
    str
        The code.
    """
    if rng.random() < new_style_share:
        tail = "".join(USCC_CHARSET[i] for i in rng.integers(0, len(USCC_CHARSET), size=6))
        body = "MA" + tail
    else:
        body = str(int(rng.integers(1, 10))) + "".join(str(int(d)) for d in rng.integers(0, 10, size=7))
    return make_uscc(department, category, region, body)
