import pytest

from jiedao.open311.redaction import redact_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("请联系13800138000李先生", "请联系138****8000李先生"),
        ("电话 138-0013-8000", "电话 138****8000"),
        ("电话+86 13800138000", "电话138****8000"),
        ("座机0571-87654321", "座机********4321"),
        ("身份证11010519491231002X", "身份证110105********002X"),
        ("户号 123456789", "户号 *****6789"),
        ("邮箱 zhangsan@example.com", "邮箱 z***@example.com"),
        ("3栋2单元501室灯不亮", "3栋2单元501室灯不亮"),
        ("2026年11月23日", "2026年11月23日"),
    ],
)
def test_redact_text_masks_numbers_and_addresses_of_people(text, expected):
    assert redact_text(text) == expected
