import pytest

from jiedao.places.choices import Level, PlaceKind
from jiedao.places.codes import CodeError, prefix_of, validate_code


@pytest.mark.parametrize(
    ("code", "level", "kind", "parent"),
    [
        ("330199", Level.DISTRICT, "", None),
        ("110105", Level.DISTRICT, "", None),
        ("330199001000", Level.SUBDISTRICT, "", "330199"),
        ("330199099000", Level.SUBDISTRICT, "", "330199"),
        ("330199001001", Level.COMMUNITY, PlaceKind.COMMUNITY, "330199001000"),
        ("330199001199", Level.COMMUNITY, PlaceKind.COMMUNITY, "330199001000"),
        ("330199001200", Level.COMMUNITY, PlaceKind.VILLAGE, "330199001000"),
        ("330199001399", Level.COMMUNITY, PlaceKind.VILLAGE, "330199001000"),
        ("330199001001001", Level.GRID, PlaceKind.COMPREHENSIVE, "330199001001"),
    ],
)
def test_validate_code_accepts_well_formed_codes(code, level, kind, parent):
    validate_code(code, level, kind, parent)


@pytest.mark.parametrize(
    ("code", "level", "kind", "parent", "fragment"),
    [
        ("33019", Level.DISTRICT, "", None, "6"),
        ("33019X", Level.DISTRICT, "", None, "6"),
        ("990101", Level.DISTRICT, "", None, "99"),
        ("330100", Level.DISTRICT, "", None, "00"),
        ("330199100000", Level.SUBDISTRICT, "", "330199", "100"),
        ("330199000000", Level.SUBDISTRICT, "", "330199", "000"),
        ("330199001001", Level.SUBDISTRICT, "", "330199", "000"),
        ("330199001000", Level.SUBDISTRICT, "", "330101", "330101"),
        ("330199001200", Level.COMMUNITY, PlaceKind.COMMUNITY, "330199001000", "200"),
        ("330199001150", Level.COMMUNITY, PlaceKind.VILLAGE, "330199001000", "150"),
        ("330199001400", Level.COMMUNITY, PlaceKind.VILLAGE, "330199001000", "400"),
        ("330199002001", Level.COMMUNITY, PlaceKind.COMMUNITY, "330199001000", "330199001"),
        ("330199001001000", Level.GRID, PlaceKind.COMPREHENSIVE, "330199001001", "000"),
        ("330199001002001", Level.GRID, PlaceKind.COMPREHENSIVE, "330199001001", "330199001001"),
        ("3301990010010011", Level.GRID, PlaceKind.COMPREHENSIVE, None, "15"),
    ],
)
def test_validate_code_rejects_with_a_message_naming_the_problem(code, level, kind, parent, fragment):
    with pytest.raises(CodeError) as excinfo:
        validate_code(code, level, kind, parent)
    assert fragment in str(excinfo.value)


def test_prefix_of_each_level():
    assert prefix_of("330199", Level.DISTRICT) == "330199"
    assert prefix_of("330199001000", Level.SUBDISTRICT) == "330199001"
    assert prefix_of("330199001001", Level.COMMUNITY) == "330199001001"
    assert prefix_of("330199001001002", Level.GRID) == "330199001001002"
