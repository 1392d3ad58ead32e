"""Access cards on a door station: add, change and remove through the actions, the *Cards*
sensor following, numbers and fields checked before anything reaches the device."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.amcrest_http.const import DOMAIN
from simulator import Simulator
from simulator import doorstation as ds
from tests.conftest import SimFactory
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import device_of, device_uid, entity_id, state_of


@pytest.fixture
async def vto(start_sim: SimFactory) -> Simulator:
    return await start_sim("vto")


@pytest.fixture
async def vto_entry(vto: Simulator, add_entry: EntryFactory) -> MockConfigEntry:
    return await add_entry(vto)


async def card_action(hass: HomeAssistant, service: str, **data: Any) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=True
    )
    await hass.async_block_till_done()
    assert response is not None
    return dict(response)


def held(sim: Simulator, number: str) -> dict[str, str] | None:
    """The fields of card ``number`` on the device."""
    for card in sim.state.records[ds.CARDS]:
        if card.fields.get("CardNo") == number:
            return card.fields
    return None


async def test_add_change_and_remove_a_card(
    hass: HomeAssistant, vto: Simulator, vto_entry: MockConfigEntry
) -> None:
    device = device_of(hass, vto_entry, vto).id
    cards = entity_id(hass, "sensor", device_uid(vto, "cards"))
    assert state_of(hass, cards).state == "6"

    added = await card_action(
        hass,
        "add_card",
        device_id=device,
        card_no="C0FFEE42",
        card_name="Zoe",
        user_id="7",
        doors=[1],
        valid_from="2026-01-01 00:00:00",
        valid_until="2027-06-30 18:00:00",
    )
    assert added == {"card_no": "C0FFEE42", "rec_no": 7}
    assert held(vto, "C0FFEE42") == {
        "CardNo": "C0FFEE42",
        "CardName": "Zoe",
        "UserID": "7",
        "CardStatus": "0",
        "CardType": "0",
        "Doors[0]": "0",
        "ValidDateStart": "20260101 000000",
        "ValidDateEnd": "20270630 180000",
    }
    assert state_of(hass, cards).state == "7"  # read back at once

    changed = await card_action(
        hass, "update_card", device_id=device, card_no="C0FFEE42", frozen=True, card_name="Zoe B"
    )
    assert changed == {"card_no": "C0FFEE42", "rec_no": 7}
    fields = held(vto, "C0FFEE42")
    assert fields is not None
    assert (fields["CardStatus"], fields["CardName"], fields["UserID"]) == ("1", "Zoe B", "7")

    # The search action shows it as the device has it.
    found = await card_action(hass, "search_cards", device_id=device, card_no="C0FFEE42")
    assert [(c["card_name"], c["status"]) for c in found["records"]] == [("Zoe B", 1)]

    removed = await card_action(hass, "remove_card", device_id=device, card_no="C0FFEE42")
    assert removed == {"card_no": "C0FFEE42", "rec_no": 7}
    assert held(vto, "C0FFEE42") is None
    assert state_of(hass, cards).state == "6"


@pytest.mark.parametrize(
    ("service", "data", "key"),
    [
        ("add_card", {"card_no": "12 34"}, "invalid_card_number"),
        ("add_card", {"card_no": "x" * 33}, "invalid_card_number"),
        ("remove_card", {"card_no": "ab&cd"}, "invalid_card_number"),
        ("add_card", {"card_no": "A1B2C3D4"}, "card_exists"),
        ("update_card", {"card_no": "99999999", "card_name": "X"}, "unknown_card"),
        ("remove_card", {"card_no": "99999999"}, "unknown_card"),
        ("update_card", {"card_no": "A1B2C3D4"}, "invalid_card"),
        ("add_card", {"card_no": "AA11", "card_name": "a=b"}, "invalid_card"),
        (
            "add_card",
            {
                "card_no": "AA11",
                "valid_from": "2027-01-01 00:00:00",
                "valid_until": "2026-01-01 00:00:00",
            },
            "invalid_card",
        ),
    ],
)
async def test_bad_cards_are_refused_before_the_device_changes(
    *,
    hass: HomeAssistant,
    vto: Simulator,
    vto_entry: MockConfigEntry,
    service: str,
    data: dict[str, Any],
    key: str,
) -> None:
    device = device_of(hass, vto_entry, vto).id
    before = [dict(card.fields) for card in vto.state.records[ds.CARDS]]
    with pytest.raises(ServiceValidationError) as err:
        await card_action(hass, service, device_id=device, **data)
    assert err.value.translation_key == key
    assert [dict(card.fields) for card in vto.state.records[ds.CARDS]] == before


async def test_a_device_refusing_the_card_says_so(
    hass: HomeAssistant, vto: Simulator, vto_entry: MockConfigEntry
) -> None:
    device = device_of(hass, vto_entry, vto).id
    vto.add_fault("invalid_param", path="/cgi-bin/recordUpdater.cgi", count=1)
    with pytest.raises(HomeAssistantError) as err:
        await card_action(hass, "add_card", device_id=device, card_no="BEEF0001")
    assert err.value.translation_key == "invalid_value"
    assert held(vto, "BEEF0001") is None


async def test_a_camera_has_no_cards(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    ipc = await start_sim("ipc")
    entry = await add_entry(ipc)
    assert not [s for s in hass.states.async_all("sensor") if s.entity_id.endswith("_cards")]
    with pytest.raises(ServiceValidationError) as err:
        await card_action(
            hass, "add_card", device_id=device_of(hass, entry, ipc).id, card_no="AA11"
        )
    assert err.value.translation_key == "not_door_station"
