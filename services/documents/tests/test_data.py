"""The data given with a document, checked against its type's fields."""

from __future__ import annotations

from datetime import date

from portico.documents.data import MAX_TEXT, check_data, expiry_of

FIELDS = [
    {"key": "number", "kind": "text", "required": True},
    {"key": "valid_until", "kind": "date", "required": True, "is_expiry": True},
    {"key": "seats", "kind": "number"},
    {"key": "plan", "kind": "select", "options": ["Basic", "Pro"]},
]


def test_good_data_is_kept_in_its_own_kind_and_blanks_are_left_out() -> None:
    kept, errors = check_data(
        FIELDS,
        {"number": " X4 ", "valid_until": "2031-05-02", "seats": "1 250,5", "plan": "Pro"},
    )
    assert errors == {}
    assert kept == {"number": "X4", "valid_until": "2031-05-02", "seats": 1250.5, "plan": "Pro"}
    assert expiry_of(FIELDS, kept) == date(2031, 5, 2)
    kept, errors = check_data(FIELDS, {"number": "X4", "valid_until": "2031-05-02", "seats": ""})
    assert errors == {} and "seats" not in kept
    assert (
        check_data(FIELDS, {"number": "X", "valid_until": "2031-05-02", "seats": 3.0})[0]["seats"]
        == 3
    )


def test_each_wrong_value_is_refused_by_its_key() -> None:
    _, errors = check_data(
        FIELDS,
        {
            "valid_until": "02/05/2031",
            "seats": "many",
            "plan": "Gold",
            "colour": "blue",
        },
    )
    assert set(errors) == {"number", "valid_until", "seats", "plan", "colour"}
    assert errors["number"] == "Required."
    assert "YYYY-MM-DD" in errors["valid_until"]
    _, errors = check_data(
        FIELDS, {"number": "x" * (MAX_TEXT + 1), "valid_until": 20310502, "seats": True}
    )
    assert set(errors) == {"number", "valid_until", "seats"}
    for seats in ("nan", 10**400):
        _, errors = check_data(FIELDS, {"number": "X", "valid_until": "2031-05-02", "seats": seats})
        assert set(errors) == {"seats"}
