"""A repair issue when the device's clock is off by more than a few minutes and it does not
take its time from NTP: recordings, snapshots and event times would be stamped wrong.

The clock is read at setup, daily and after a sync (the ``@clock`` source), the ``NTP`` table
every 300 s; a device that answers neither gets no issue. The fix sets the device's clock to
Home Assistant's local time (``global.cgi?action=setCurrentTime``, as the *Sync clock* button)
and reads it back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from homeassistant.core import HomeAssistant, callback

from . import repairs
from .sources import CLOCK

if TYPE_CHECKING:
    from .hub import AmcrestHub

#: Drift (seconds, either way) above which the clock counts as wrong.
DRIFT_LIMIT_SECONDS: Final = 300
NTP_TABLE: Final = "NTP"


def drifting(drift_seconds: int | None, ntp_enable: str | None) -> bool | None:
    """Whether the clock is off and nothing corrects it; None when the device does not say."""
    if drift_seconds is None or ntp_enable is None:
        return None
    if ntp_enable.strip().lower() == "true":
        return False
    return abs(drift_seconds) > DRIFT_LIMIT_SECONDS


@callback
def async_watch_clock(hass: HomeAssistant, hub: AmcrestHub) -> None:
    """Raise and clear the entry's clock issue as the clock and the NTP table are read."""
    entry = hub.entry
    coordinator = hub.coordinator
    shown: list[bool] = []

    @callback
    def check() -> None:
        data = coordinator.current
        reading = data.clock()
        state = drifting(
            None if reading is None else reading.drift_seconds,
            data.table(NTP_TABLE).get("NTP.Enable"),
        )
        if state is None or (shown and shown[-1] is state):
            return
        shown[:] = [state]
        if not state:
            repairs.async_clear(hass, repairs.CLOCK_DRIFT, entry.entry_id)
            return
        assert reading is not None
        minutes = round(abs(reading.drift_seconds) / 60)
        placeholders = {"name": hub.device_name, "minutes": str(minutes)}
        repairs.async_raise(
            hass,
            repairs.CLOCK_DRIFT,
            entry.entry_id,
            placeholders,
            fixable=True,
            data={"fix": repairs.CLOCK_DRIFT},
        )

    entry.async_on_unload(coordinator.register({CLOCK, NTP_TABLE}, check))
    entry.async_on_unload(coordinator.async_add_listener(check))
    check()
