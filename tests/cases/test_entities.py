"""Identifiers in free clue text: every way people write them, and what must not match."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jinghai.cases.entities import (
    EntitySpan,
    extract_entities,
    id_check_digit,
    is_valid_id_number,
    normalise_id_number,
    normalise_mmsi,
    normalise_phone,
    normalise_plate,
    normalise_vessel_name,
)

VALID_ID = "330206199001011235"
VALID_ID_X = "33020619850512102X"


def kinds_values(text: str) -> list[tuple[str, str]]:
    return [(s.kind, s.value) for s in extract_entities(text)]


@pytest.mark.parametrize("written", [
    "13812345678",
    "138-1234-5678",
    "138 1234 5678",
    "138.1234.5678",
    "+86 138 1234 5678",
    "+8613812345678",
    "0086 138 1234 5678",
    "0086-13812345678",
    "(+86)138 1234 5678",
    "（+86）13812345678",
    "86 138 1234 5678",
    "8613812345678",
    "１３８１２３４５６７８",
])
def test_mobile_phone_in_every_common_form(written):
    spans = extract_entities(f"联系电话：{written}，晚上打")
    assert [(s.kind, s.raw, s.value) for s in spans] == [("phone", written, "13812345678")]


@pytest.mark.parametrize("written", ["0574-86881234", "0574 86881234", "(0574)86881234",
                                     "（0574）8688-1234", "057486881234"])
def test_landline_with_area_code(written):
    assert kinds_values(f"值班室{written}") == [("landline", "0574-86881234")]


def test_span_points_into_the_original_text():
    text = "嫌疑人手机号 138-1234-5678。"
    [span] = extract_entities(text)
    assert span == EntitySpan(7, 20, "phone", "138-1234-5678", "13812345678")
    assert text[span.start:span.end] == span.raw


@pytest.mark.parametrize("not_a_phone", [
    "12812345678",        # no mobile prefix 12x
    "1381234567",         # ten digits
    "138123456789",       # twelve digits
    "金额 13812345678900 元",
    "2026-11-20 03:15",
])
def test_not_phone_numbers(not_a_phone):
    assert [k for k, _ in kinds_values(not_a_phone) if k == "phone"] == []


def test_id_check_digit_iso_7064():
    assert id_check_digit(VALID_ID[:17]) == "5"
    assert id_check_digit(VALID_ID_X[:17]) == "X"
    assert is_valid_id_number(VALID_ID)
    assert is_valid_id_number(VALID_ID_X.lower())
    assert not is_valid_id_number(VALID_ID[:17] + "4")
    assert not is_valid_id_number("330206199002301235")  # 30 February


def test_id_numbers_in_text_with_check_digit():
    text = f"身份证号{VALID_ID}，另一人{VALID_ID_X.lower()}。"
    assert kinds_values(text) == [("id_number", VALID_ID), ("id_number", VALID_ID_X)]


def test_bad_check_digit_is_not_an_id_and_no_phone_is_read_out_of_it():
    # 18 digits with a wrong check digit, containing the mobile-looking 13812345678
    text = "证件号330213812345678904"
    assert not is_valid_id_number("330213812345678904")
    assert kinds_values(text) == []


def test_phone_inside_a_valid_id_is_not_a_phone():
    first17 = "330213" + "19881231" + "138"
    idn = first17 + id_check_digit(first17)
    assert kinds_values(f"身份证{idn}") == [("id_number", idn)]


def test_id_and_phone_side_by_side_are_both_found():
    text = f"{VALID_ID} 13812345678"
    assert kinds_values(text) == [("id_number", VALID_ID), ("phone", "13812345678")]


def test_old_fifteen_digit_id_becomes_eighteen():
    assert normalise_id_number("330206850512123") == "330206198505121230"
    assert kinds_values("旧身份证330206850512123") == [("id_number", "330206198505121230")]
    assert normalise_id_number("330206851312123") is None  # month 13


@pytest.mark.parametrize(("written", "value"), [
    ("浙B12345", "浙B12345"),
    ("浙B·12345", "浙B12345"),
    ("浙b 12345", "浙B12345"),
    ("浙B-A1234", "浙BA1234"),
    ("浙B·D12345", "浙BD12345"),
    ("浙BD12345", "浙BD12345"),
    ("浙B12345F", "浙B12345F"),
    ("浙Ｂ１２３４５", "浙B12345"),
])
def test_vehicle_plates(written, value):
    assert kinds_values(f"车辆{written}驶离码头") == [("plate", value)]


@pytest.mark.parametrize("not_a_plate", ["浙Beilun office", "浙B123456", "浙BABCDE", "浙江省"])
def test_not_plates(not_a_plate):
    assert [k for k, _ in kinds_values(not_a_plate) if k == "plate"] == []


def test_mmsi_in_context_and_chinese_mid_alone():
    text = "MMSI 273123456 的船与 412345678 接驳；MMSI：413000111"
    assert kinds_values(text) == [("mmsi", "273123456"), ("mmsi", "412345678"),
                                  ("mmsi", "413000111")]


def test_nine_digits_without_context_or_chinese_mid_are_not_mmsi():
    assert kinds_values("编号 273123456 的记录") == []
    assert kinds_values("4123456789") == []  # ten digits


def test_mmsi_is_not_read_out_of_a_phone_number():
    assert kinds_values("电话 14123456789") == [("phone", "14123456789")]


@pytest.mark.parametrize(("written", "value"), [
    ("浙象渔12345", "浙象渔12345"),
    ("浙象渔12345号", "浙象渔12345"),
    ("浙甬渔运00123", "浙甬渔运00123"),
    ("闽狮渔06688", "闽狮渔06688"),
    ("浙岱渔冷00888", "浙岱渔冷00888"),
    ("浙象渔１２３４５号", "浙象渔12345"),
    ("浙象渔一二三四五号", "浙象渔12345"),
    ("“海星”号", "海星"),
    ("\"Ocean Star\"号", "OCEANSTAR"),
])
def test_vessel_names(written, value):
    assert kinds_values(f"发现{written}在附近") == [("vessel_name", value)]


def test_not_vessel_names():
    assert kinds_values("浙江渔民在象山") == []
    assert kinds_values("他说“快走”") == []


def test_normalisers_for_form_fields():
    assert normalise_phone("+86 138-1234-5678") == "13812345678"
    assert normalise_phone("0574 8688 1234") == "0574-86881234"
    assert normalise_phone("12345") is None
    assert normalise_plate("浙b·d12345") == "浙BD12345"
    assert normalise_plate("not a plate") is None
    assert normalise_mmsi(" 412 345 678 ") == "412345678"
    assert normalise_mmsi("41234567") is None
    assert normalise_vessel_name(" 浙象渔 12345 号 ") == "浙象渔12345"
    assert normalise_vessel_name("海星十二号") == "海星12"


@given(region=st.integers(110000, 829999), born=st.dates(date(1900, 1, 1), date(2025, 12, 31)),
       seq=st.integers(0, 999), sep=st.sampled_from(["", " ", "，电话", "手机"]),
       mobile=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_any_valid_id_next_to_any_mobile_is_read_as_exactly_those_two(region, born, seq, sep,
                                                                      mobile):
    first17 = f"{region}{born:%Y%m%d}{seq:03d}"
    idn = first17 + id_check_digit(first17)
    assert kinds_values(f"身份证{idn}{sep or '/'}{mobile}") == [
        ("id_number", idn), ("phone", mobile)]


@given(mobile=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
       prefix=st.sampled_from(["", "+86 ", "+86-", "0086 ", "(+86)", "（86）"]),
       sep=st.sampled_from(["", " ", "-"]))
def test_any_mobile_in_any_format_normalises_to_its_eleven_digits(mobile, prefix, sep):
    written = prefix + sep.join([mobile[:3], mobile[3:7], mobile[7:]])
    assert kinds_values(f"电话{written}。") == [("phone", mobile)]
