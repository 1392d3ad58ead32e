"""The card list through the library, against the simulated door station: add, change,
remove, count; every field checked before it is sent; odd answers refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from custom_components.amcrest_http.api import (
    AmcrestClient,
    InvalidParameterError,
    MalformedResponseError,
    NotSupportedError,
)
from custom_components.amcrest_http.api.cards import CardFields, _number, check_card_number
from custom_components.amcrest_http.api.codec import Scalar
from simulator import Simulator
from simulator import doorstation as ds
from tests.conftest import ClientFactory, SimFactory

UPDATER = "/cgi-bin/recordUpdater.cgi"


@pytest.fixture
async def vto(start_sim: SimFactory) -> Simulator:
    return await start_sim("vto")


@pytest.fixture
def client(vto: Simulator, make_client: ClientFactory) -> AmcrestClient:
    return make_client(vto)


def _fields(sim: Simulator, rec_no: int) -> dict[str, str]:
    [card] = [card for card in sim.state.records[ds.CARDS] if card.rec_no == rec_no]
    return card.fields


async def test_add_with_defaults_update_and_remove(vto: Simulator, client: AmcrestClient) -> None:
    assert await client.cards.count() == 6
    rec_no = await client.cards.add("0a1B", CardFields())
    assert _fields(vto, rec_no) == {
        "CardNo": "0a1B",
        "CardStatus": "0",
        "CardType": "0",
        "Doors[0]": "0",
    }
    await client.cards.update(rec_no, CardFields(doors=(3, 2, 3), frozen=False, user_id="9"))
    fields = _fields(vto, rec_no)
    assert (fields["Doors[0]"], fields["Doors[1]"], fields["UserID"]) == ("1", "2", "9")
    assert await client.cards.count() == 7
    await client.cards.remove(rec_no)
    assert await client.cards.count() == 6
    # The device refuses what it does not hold, and a number it already has.
    with pytest.raises(InvalidParameterError):
        await client.cards.remove(rec_no)
    with pytest.raises(InvalidParameterError):
        await client.cards.add("A1B2C3D4", CardFields())


@pytest.mark.parametrize("number", ["", " ", "12 34", "a-b", "x" * 33, 1234, None])
def test_card_numbers(number: object) -> None:
    with pytest.raises(InvalidParameterError):
        check_card_number(number)


def test_card_numbers_kept() -> None:
    assert check_card_number(" 7a087d0f ") == "7a087d0f"


@pytest.mark.parametrize(
    "fields",
    [
        CardFields(name="a&b"),
        CardFields(name="x" * 33),
        CardFields(user_id="line\nbreak"),
        CardFields(user_id=7),  # type: ignore[arg-type]
        CardFields(doors=()),
        CardFields(doors=(0,)),
        CardFields(doors=(65,)),
        CardFields(doors=(True,)),
        CardFields(valid_start=datetime(2026, 1, 1, tzinfo=UTC)),
        CardFields(valid_end="2026-01-01"),  # type: ignore[arg-type]
        CardFields(valid_start=datetime(2027, 1, 1), valid_end=datetime(2026, 1, 1)),
    ],
)
async def test_bad_fields_are_not_sent(
    vto: Simulator, client: AmcrestClient, fields: CardFields
) -> None:
    vto.reset_stats()
    with pytest.raises(InvalidParameterError):
        await client.cards.add("BEEF", fields)
    with pytest.raises(InvalidParameterError):
        await client.cards.update(1, fields)
    assert vto.stats["authorized"] == 0


async def test_nothing_to_change_and_bad_record_numbers(client: AmcrestClient) -> None:
    for bad in (CardFields(),):
        with pytest.raises(InvalidParameterError):
            await client.cards.update(1, bad)
    for rec_no in (-1, True, "3"):
        with pytest.raises(InvalidParameterError):
            await client.cards.remove(rec_no)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({"count": "many"}, MalformedResponseError),
        ({"count": "9" * 40}, MalformedResponseError),
        ({"count": "-1"}, MalformedResponseError),
        ({"total": "3"}, NotSupportedError),
    ],
)
def test_odd_numbers_in_answers(values: dict[str, str], error: type[Exception]) -> None:
    with pytest.raises(error):
        _number(values, "count", "card count")


async def test_a_garbled_count_answer(vto: Simulator, client: AmcrestClient) -> None:
    vto.add_fault("malformed", path="/cgi-bin/recordFinder.cgi", count=1)
    with pytest.raises(MalformedResponseError):
        await client.cards.count()


async def test_the_simulator_refuses_bad_card_requests(
    vto: Simulator, client: AmcrestClient
) -> None:
    bad: list[list[tuple[str, Scalar]]] = [
        [("action", "insert"), ("name", "Other"), ("CardNo", "AB")],
        [("action", "insert"), ("name", ds.CARDS), ("CardNo", "A B")],
        [("action", "insert"), ("name", ds.CARDS), ("CardNo", "AB"), ("Color", "red")],
        [("action", "insert"), ("name", ds.CARDS), ("CardNo", "AB"), ("ValidDateEnd", "2026")],
        [("action", "insert"), ("name", ds.CARDS), ("CardNo", "AB"), ("CardStatus", "7")],
        [("action", "insert"), ("name", ds.CARDS), ("CardNo", "AB"), ("Doors[0]", "99")],
        [("action", "update"), ("name", ds.CARDS), ("recno", "1"), ("CardNo", "FF")],
        [("action", "update"), ("name", ds.CARDS), ("recno", "x"), ("CardName", "A")],
        [("action", "remove"), ("name", ds.CARDS), ("recno", "99")],
    ]
    for query in bad:
        response = await client.transport.request(UPDATER, query)
        assert response.text.startswith("Error"), query
    assert len(vto.state.records[ds.CARDS]) == 6
