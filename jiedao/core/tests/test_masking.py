import pytest

from jiedao.core.masking import mask_address, mask_id_number, mask_name, mask_phone


@pytest.mark.parametrize(("name", "masked"), [("张三", "张*"), ("欧阳娜娜", "欧***"), ("李", "李*"), ("", "")])
def test_mask_name_keeps_the_first_character(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812341234", "138****1234"),
        ("138 1234 1234", "138****1234"),
        ("0571-87654321", "********4321"),
        ("123", "***"),
        ("", ""),
    ],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("id_number", "masked"),
    [("11010519491231002X", "110105********002X"), ("11010519491231002x", "110105********002X")],
)
def test_mask_id_number_keeps_region_and_last_four(id_number, masked):
    assert mask_id_number(id_number) == masked


def test_mask_address_hides_the_door_but_keeps_the_street():
    assert mask_address("望湖路12号3栋2单元501室") == "望湖路12号*栋*单元***室"
    assert mask_address("柳岸小区3栋") == "柳岸小区*栋"
