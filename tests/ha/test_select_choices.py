"""How selects derive their options from what a channel's caps and tables say.

These are pure functions of a :class:`~custom_components.amcrest_http.entity.View`; the
stand-in below answers the three questions they ask, for answers no simulator profile gives
(caps naming one level, a channel without encode caps, resolutions that are no sizes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

from custom_components.amcrest_http import select
from custom_components.amcrest_http.api import Capabilities

if TYPE_CHECKING:
    from custom_components.amcrest_http.entity import View

CHOICES = (("auto", "0"), ("manual", "4"))


@dataclass
class _View:
    caps: dict[str, str] = field(default_factory=dict)
    table: dict[str, str] = field(default_factory=dict)
    channel: int = 0
    hub: Any = field(default_factory=lambda: SimpleNamespace(capabilities=Capabilities()))

    def video_caps(self, name: str) -> str | None:
        return self.caps.get(name)

    def key(self, template: str) -> str:
        return template.format(ch=self.channel)

    def get(self, template: str) -> str | None:
        return self.table.get(self.key(template))


def _v(**kwargs: Any) -> View:
    return cast("View", _View(**kwargs))


def test_caps_naming_fewer_than_two_levels_leave_every_choice() -> None:
    pick = select._caps_levels("ExposureMode", CHOICES)
    assert pick(_v(caps={"ExposureMode": "0,4"})) == CHOICES
    assert pick(_v(caps={"ExposureMode": "4, 0 ,9"})) == CHOICES
    assert pick(_v(caps={"ExposureMode": "0,9"})) == (("auto", "0"),)
    # One level, or none: the caps say nothing usable, so nothing is taken away.
    assert pick(_v(caps={"ExposureMode": "4"})) == CHOICES
    assert pick(_v()) == CHOICES


def test_a_channel_without_encode_caps_has_no_codec_or_resolution_choices() -> None:
    view = _v(channel=3)
    assert select._codec_choices(view) == ()
    assert select._resolution_choices(view) == ()


def test_a_resolution_is_written_with_width_and_height_only_where_the_table_has_them() -> None:
    width = "Encode[0].MainFormat[0].Video.Width"
    view = _v(table={width: "1920"})
    # Only Width is in the table: only it is written.
    assert select._resolution_size(view, "2688x1520") == {width: "2688"}
    # A name that is no size (firmware that lists ``1080P``) is written as it is, alone.
    assert select._resolution_size(view, "1080P") == {}
