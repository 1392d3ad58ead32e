"""The coordinator's data: a new value per change, so equal data means nothing changed."""

from __future__ import annotations

from custom_components.amcrest_http.sources import PollData


def test_poll_data_is_a_value() -> None:
    first = PollData({"Encode": {"Encode[0].MainFormat[0].Video.FPS": "25"}})
    same = PollData({"Encode": {"Encode[0].MainFormat[0].Video.FPS": "25"}})
    changed = first.with_values({"Encode": {"Encode[0].MainFormat[0].Video.FPS": "15"}})
    assert first == same
    assert changed != first
    assert first != {"Encode": {}}  # only poll data equals poll data
    assert first.table("Encode") == {"Encode[0].MainFormat[0].Video.FPS": "25"}  # unchanged
    assert first.table("Missing") == {}
    assert repr(changed.with_values({"AlarmOut": {}})) == "PollData(['AlarmOut', 'Encode'])"
