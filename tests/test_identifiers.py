"""Unified social credit codes (GB 32100-2015): validation, check characters, generation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zerocity.errors import ZerocityError
from zerocity.identifiers import (
    USCC_CHARSET,
    InvalidIdentifierError,
    is_valid_uscc,
    make_uscc,
    organization_code_check_digit,
    random_uscc,
    uscc_check_character,
    validate_uscc,
)

# Real, published codes. Sources (found with the project's code search, `find_string`):
# - Alibaba (China) Co., Ltd. (阿里巴巴(中国)有限公司): "企业基本信息" table of its
#   enterprise annual report disclosure published 2017-06-01 (registration no. 330100400015575), in a saved copy of
#   the disclosure page kept in a public repository; the same page lists the codes of the
#   companies it invested in (北京缔元信互联网数据技术有限公司, 上海驻云信息科技有限公司,
#   深圳市一达通企业服务有限公司, 杭州如涵控股股份有限公司).
# - Huawei Technologies Co., Ltd. (华为技术有限公司): quoted as Huawei's public code in several
#   independent public repositories (a contract-drafting fixture, a Java USCC utility test and a
#   TypeScript validator test that calls it "公开信息").
# - SAIC Motor Corporation Limited (上海汽车集团股份有限公司), NARI Group Corporation
#   (南瑞集团有限公司) and East China Normal University (华东师范大学, a public institution,
#   department 1 / category 2): rows of a public repository's business-register seed data.
PUBLISHED_CODES = {
    "91330100716105852F": "Alibaba (China) Co., Ltd.",
    "91110101799011412Q": "Beijing Diyuanxin Internet Data Technology Co., Ltd.",
    "913100000747549729": "Shanghai Zhuyun Information Technology Co., Ltd.",
    "91440300734141160H": "Shenzhen Yidatong Enterprise Service Co., Ltd.",
    "9133010072654578XU": "Hangzhou Ruhnn Holding Co., Ltd.",
    "914403001922038216": "Huawei Technologies Co., Ltd.",
    "91310000132260250X": "SAIC Motor Corporation Limited",
    "913201911348723659": "NARI Group Corporation",
    "12100000425006133D": "East China Normal University",
}


@pytest.mark.parametrize("code", sorted(PUBLISHED_CODES))
def test_published_codes_validate(code: str) -> None:
    validate_uscc(code)
    assert is_valid_uscc(code)
    assert uscc_check_character(code[:17]) == code[17]
    assert organization_code_check_digit(code[8:16]) == code[16]


def test_organisation_code_check_digit_special_values() -> None:
    # 10 is written X, 11 is written 0 (GB 11714-1997).
    assert organization_code_check_digit("72654578") == "X"  # Ruhnn, 9133010072654578XU
    assert organization_code_check_digit("56308952") == "0"  # 91310105563089520E
    assert organization_code_check_digit("71610585") == "2"


def test_error_type_and_code() -> None:
    with pytest.raises(InvalidIdentifierError) as info:
        validate_uscc("123")
    assert isinstance(info.value, ZerocityError)
    assert isinstance(info.value, ValueError)
    assert info.value.code == "invalid_identifier"


@pytest.mark.parametrize("code", ["", "91330100716105852", "91330100716105852F0"])
def test_wrong_length(code: str) -> None:
    with pytest.raises(InvalidIdentifierError, match="18 characters"):
        validate_uscc(code)


def test_not_a_string() -> None:
    with pytest.raises(InvalidIdentifierError, match="must be a string"):
        validate_uscc(914403001922038216)  # type: ignore[arg-type]


def test_lower_case_is_named() -> None:
    with pytest.raises(InvalidIdentifierError, match=r"'f' at position 18 is lower case"):
        validate_uscc("91330100716105852f")


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
def test_forbidden_letters_are_named(letter: str) -> None:
    code = "91330100" + letter + "16105852F"
    with pytest.raises(InvalidIdentifierError) as info:
        validate_uscc(code)
    message = str(info.value)
    assert f"{letter!r} at position 9" in message
    assert "I, O, S, V and Z" in message


def test_other_bad_characters() -> None:
    with pytest.raises(InvalidIdentifierError, match=r"'-' at position 9 is not allowed"):
        validate_uscc("91330100-16105852F")


def test_wrong_check_character() -> None:
    with pytest.raises(InvalidIdentifierError) as info:
        validate_uscc("91330100716105852G")
    message = str(info.value)
    assert "check character" in message
    assert "expected 'F'" in message
    assert "found 'G'" in message


def test_wrong_organisation_code_check_digit() -> None:
    # Position 17 changed and the final check character recomputed, so only GB 11714 fails.
    first17 = "9133010071610585" + "3"
    code = first17 + uscc_check_character(first17)
    with pytest.raises(InvalidIdentifierError) as info:
        validate_uscc(code)
    message = str(info.value)
    assert "organisation code" in message
    assert "gives '2'" in message


def test_unknown_registration_department() -> None:
    first17 = "B1330100716105852"
    code = first17 + uscc_check_character(first17)
    with pytest.raises(InvalidIdentifierError, match="registration department"):
        validate_uscc(code)


def test_region_must_be_digits() -> None:
    first17 = "9133A100716105852"
    code = first17 + uscc_check_character(first17)
    with pytest.raises(InvalidIdentifierError, match="positions 3-8"):
        validate_uscc(code)


def test_check_character_input_rules() -> None:
    with pytest.raises(InvalidIdentifierError, match="first 17"):
        uscc_check_character("9133")
    with pytest.raises(InvalidIdentifierError, match="lower case"):
        uscc_check_character("9133010071610585a")


def test_make_uscc_rebuilds_a_published_code() -> None:
    assert make_uscc("9", "1", "330100", "71610585") == "91330100716105852F"
    assert make_uscc("1", "2", "100000", "42500613") == "12100000425006133D"


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("B", "1", "330100", "71610585"), "department"),
        (("9", "11", "330100", "71610585"), "category"),
        (("9", "1", "33010", "71610585"), "region"),
        (("9", "1", "330100", "7161058I"), "body"),
    ],
)
def test_make_uscc_rejects_bad_parts(args: tuple[str, str, str, str], match: str) -> None:
    with pytest.raises(InvalidIdentifierError, match=match):
        make_uscc(*args)


def test_random_uscc_is_valid_and_uses_region() -> None:
    rng = np.random.default_rng(7)
    codes = [random_uscc(rng, "329909") for _ in range(500)]
    for code in codes:
        validate_uscc(code)
        assert code[:8] == "91329909"
    assert any(code[8:10] == "MA" for code in codes)
    assert any(code[8:10] != "MA" for code in codes)


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    position=st.integers(min_value=0, max_value=17),
    replacement=st.sampled_from(USCC_CHARSET),
)
def test_any_single_substitution_is_detected(seed: int, position: int, replacement: str) -> None:
    code = random_uscc(np.random.default_rng(seed), "320402")
    if code[position] == replacement:
        return
    mutated = code[:position] + replacement + code[position + 1 :]
    assert not is_valid_uscc(mutated)
