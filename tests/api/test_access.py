"""Door stations: accessControl.cgi and recordFinder.cgi record sets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from custom_components.amcrest_http.api import (
    Access,
    AccessCard,
    AccessRecord,
    AlarmRecord,
    AmcrestClient,
    InvalidParameterError,
    MalformedResponseError,
    NotSupportedError,
    TalkRecord,
    parse_card_date,
    parse_records,
)
from custom_components.amcrest_http.api.access import from_epoch, to_epoch
from simulator import Simulator
from tests.api.bodies import body
from tests.conftest import ClientFactory, SimFactory

# ------------------------------------------------------------------ parsers (literal bodies)

SWIPES = body(
    "found=1",
    "records[0].CardName=Fulano",
    "records[0].CardNo=0A0B0C0D",
    "records[0].CreateTime=1787738400",
    "records[0].ErrorCode=0",
    "records[0].Method=15",
    "records[0].ReaderID=1",
    "records[0].Status=1",
    "records[0].UserID=7",
)


def test_parse_access_records_sample_8() -> None:
    found, records = parse_records(SWIPES, AccessRecord.from_row)
    assert found == 1
    (record,) = records
    assert record == AccessRecord(
        rec_no=None,
        time=datetime(2026, 8, 26, 10, 0),
        card_no="0A0B0C0D",
        card_name="Fulano",
        user_id="7",
        method=15,
        status=1,
        error_code=0,
        door=None,
        reader_id="1",
        type=None,
        real_utc=None,
    )
    assert record.success is True
    assert record.as_dict()["time"] == "2026-08-26T10:00:00"


def test_parse_access_record_all_fields_lf() -> None:
    text = "\n".join(
        [
            "found=1",
            "records[0].RecNo=31",
            "records[0].CreateTime=1677319200",
            "records[0].Status=0",
            "records[0].Door=0",
            "records[0].Type=Exit",
            "records[0].RealUTC=1677290400",
            "records[0].CardNo=",
        ]
    )
    _, (record,) = parse_records(text, AccessRecord.from_row)
    assert (record.rec_no, record.door, record.type, record.card_no) == (31, 0, "Exit", None)
    assert record.success is False
    assert record.real_utc == datetime(2023, 2, 25, 2, 0, tzinfo=UTC)


def test_parse_cards_sample_12_3() -> None:
    text = body(
        "found=1",
        "totalCount=1",
        "records[0].RecNo=22",
        "records[0].CardNo=16",
        "records[0].CardName=Front gate",
        "records[0].UserID=16",
        "records[0].CardStatus=0",
        "records[0].CardType=0",
        "records[0].Doors[0]=0",
        "records[0].Doors[1]=1",
        "records[0].ValidDateStart=20260101 000000",
        "records[0].ValidDateEnd=2030-12-31 23:59:59",
        "records[0].UserNames[0]=Fulano",
    )
    found, (card,) = parse_records(text, AccessCard.from_row)
    assert found == 1
    assert card.rec_no == 22
    assert (card.card_no, card.user_id, card.card_name) == ("16", "16", "Front gate")
    assert card.doors == (0, 1)
    assert card.valid_start == datetime(2026, 1, 1)
    assert card.valid_end == datetime(2030, 12, 31, 23, 59, 59)
    assert card.user_names == ("Fulano",)
    assert card.as_dict()["doors"] == [0, 1]


def test_parse_talk_and_alarm_records() -> None:
    text = body(
        "found=1",
        "records[0].RecNo=3",
        "records[0].CreateTime=1700000000",
        "records[0].CallType=Incoming",
        "records[0].EndState=Missed",
        "records[0].PeerNumber=9901",
        "records[0].TalkTime=0",
    )
    _, (talk,) = parse_records(text, TalkRecord.from_row)
    assert (talk.call_type, talk.end_state, talk.peer_number, talk.talk_time) == (
        "Incoming",
        "Missed",
        "9901",
        0,
    )
    assert talk.fields["PeerNumber"] == "9901"
    _, (alarm,) = parse_records(text, AlarmRecord.from_row)
    assert alarm.rec_no == 3
    assert alarm.time == from_epoch("1700000000")
    assert alarm.as_dict()["fields"]["CallType"] == "Incoming"


def test_parse_nothing_and_malformed() -> None:
    assert parse_records("found=0\r\n", AccessRecord.from_row) == (0, [])
    assert parse_records("", AccessRecord.from_row) == (0, [])
    with pytest.raises(MalformedResponseError):
        parse_records("garbage without pairs", AccessRecord.from_row)
    with pytest.raises(MalformedResponseError):
        parse_records("found=many\r\n", AccessRecord.from_row)


def test_time_helpers() -> None:
    when = datetime(2026, 8, 26, 10, 0)
    assert to_epoch(when) == 1787738400
    assert from_epoch(str(to_epoch(when))) == when
    assert from_epoch("x") is None
    assert from_epoch("-5") is None
    assert parse_card_date("bogus") is None
    assert parse_card_date("20260101") == datetime(2026, 1, 1)


# ------------------------------------------------------------------ paging with a scripted device


class ScriptedClient:
    """Answers recordFinder calls from a script; records what was asked."""

    def __init__(self, *answers: str | Exception) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, str, Any]] = []

    async def cgi(self, cgi: str, action: str, params: Any = None) -> str:
        self.calls.append((cgi, action, params))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def _page(*rec_nos: int) -> str:
    lines = [f"found={len(rec_nos)}"]
    for i, rec_no in enumerate(rec_nos):
        lines += [f"records[{i}].RecNo={rec_no}", f"records[{i}].CardNo=C{rec_no}"]
    return body(*lines)


async def test_find_next_refused_ends_after_the_first_page() -> None:
    device = ScriptedClient(_page(1, 2), NotSupportedError("Invalid Request!"))
    cards = await Access(device).find_cards(page_size=2)  # type: ignore[arg-type]
    assert [c.rec_no for c in cards] == [1, 2]
    assert [call[1] for call in device.calls] == ["find", "findNext"]
    assert device.calls[1][2] == [("name", "AccessControlCard"), ("count", 2)]


async def test_repeated_first_page_ends_the_search() -> None:
    device = ScriptedClient(_page(1, 2), _page(1, 2))
    cards = await Access(device).find_cards(page_size=2)  # type: ignore[arg-type]
    assert [c.rec_no for c in cards] == [1, 2]
    assert len(device.calls) == 2


async def test_device_ignoring_the_window_is_filtered() -> None:
    inside = to_epoch(datetime(2026, 1, 2, 12))
    outside = to_epoch(datetime(2025, 1, 1))
    text = body(
        "found=2",
        "records[0].RecNo=1",
        f"records[0].CreateTime={outside}",
        "records[1].RecNo=2",
        f"records[1].CreateTime={inside}",
    )
    device = ScriptedClient(text)
    access = Access(device)  # type: ignore[arg-type]
    records = await access.find_access_records(datetime(2026, 1, 2), datetime(2026, 1, 3))
    assert [r.rec_no for r in records] == [2]
    params = dict(device.calls[0][2])
    assert params["StartTime"] == to_epoch(datetime(2026, 1, 2))
    assert params["EndTime"] == to_epoch(datetime(2026, 1, 3))
    assert params["name"] == "AccessControlCardRec"


# ------------------------------------------------------------------ against the simulator


@pytest.fixture
async def vto(start_sim: SimFactory) -> Simulator:
    return await start_sim("vto")


@pytest.fixture
def vto_client(vto: Simulator, make_client: ClientFactory) -> AmcrestClient:
    return make_client(vto)


def _window(sim: Simulator, days: int = 10) -> tuple[datetime, datetime]:
    now = sim.state.now().replace(microsecond=0)
    return now - timedelta(days=days), now + timedelta(minutes=1)


async def test_doors(vto: Simulator, vto_client: AmcrestClient) -> None:
    assert await vto_client.access.get_door_status() == "Close"
    await vto_client.access.open_door(1, user_id="101")
    assert vto.state.doors_open == [True]
    assert await vto_client.access.get_door_status(1) == "Open"
    await vto_client.access.close_door(1)
    assert await vto_client.access.get_door_status(1) == "Close"
    with pytest.raises(InvalidParameterError):
        await vto_client.access.open_door(2)
    newest = vto.state.records["AccessControlCardRec"][-1]
    assert newest.fields["UserID"] == "101"


async def test_access_records_all_pages(vto: Simulator, vto_client: AmcrestClient) -> None:
    start, end = _window(vto)
    expected = [r.rec_no for r in vto.state.records["AccessControlCardRec"]]
    records = await vto_client.access.find_access_records(start, end, page_size=7)
    assert [r.rec_no for r in records] == expected
    assert len(expected) > 14
    pages = -(-len(expected) // 7)
    by_action = vto.stats["by_action"]
    assert by_action["recordFinder.cgi:find"] == 1
    assert by_action["recordFinder.cgi:findNext"] == pages - (len(expected) % 7 != 0)
    assert records[0].time is not None
    assert start <= records[0].time <= end
    assert {r.method for r in records} >= {1, 5, 15, 4}
    assert any(r.success is False for r in records)
    assert vto.state.record_cursors == {}


async def test_limit_asks_for_no_more(vto: Simulator, vto_client: AmcrestClient) -> None:
    start, end = _window(vto)
    records = await vto_client.access.find_access_records(start, end, limit=5, page_size=3)
    assert len(records) == 5
    assert vto.stats["by_action"]["recordFinder.cgi:find"] == 1
    assert vto.stats["by_action"]["recordFinder.cgi:findNext"] == 1
    assert await vto_client.access.find_access_records(start, end, limit=0) == []
    assert vto.stats["by_action"]["recordFinder.cgi:find"] == 1


async def test_window_is_sent(vto: Simulator, vto_client: AmcrestClient) -> None:
    now = vto.state.now()
    start = datetime.combine(now.date(), datetime.min.time()) - timedelta(days=1)
    end = start + timedelta(hours=12)
    records = await vto_client.access.find_access_records(start, end)
    expected = [
        r.rec_no
        for r in vto.state.records["AccessControlCardRec"]
        if r.time is not None and start <= r.time <= end
    ]
    assert [r.rec_no for r in records] == expected
    assert len(expected) == 2  # 07:58 and 08:30 yesterday


async def test_cards(vto: Simulator, vto_client: AmcrestClient) -> None:
    cards = await vto_client.access.find_cards()
    assert [c.card_name for c in cards] == ["Alice", "Bob", "Carol", "Dave", "Eve", "Mallory"]
    assert cards[-1].status == 1
    assert cards[0].doors == (0,)
    assert cards[0].valid_end == datetime(2037, 12, 31, 23, 59, 59)
    assert [c.user_id for c in await vto_client.access.find_cards(card_no="0A0B0C0D")] == ["2"]
    assert await vto_client.access.find_cards(card_no="nope") == []
    assert len(await vto_client.access.find_cards(limit=2, page_size=1)) == 2


async def test_alarm_records_and_talk_log(vto: Simulator, vto_client: AmcrestClient) -> None:
    start, end = _window(vto)
    alarms = await vto_client.access.find_alarm_records(start, end)
    assert len(alarms) == len(vto.state.records["AlarmRecord"])
    assert {a.fields["Type"] for a in alarms} == {"DoorNotClosed", "Tamper"}
    talks = await vto_client.access.find_talk_log(start, end, page_size=2)
    assert len(talks) == len(vto.state.records["VideoTalkLog"])
    assert {t.end_state for t in talks} == {"Received", "Missed"}


@pytest.mark.parametrize(
    ("call", "args", "kwargs"),
    [
        ("open_door", (0,), {}),
        ("open_door", (True,), {}),
        ("open_door", (1,), {"user_id": ""}),
        ("open_door", (1,), {"user_id": "a b"}),
        ("close_door", ("1",), {}),
        ("get_door_status", (-1,), {}),
        ("find_cards", (), {"limit": -1}),
        ("find_cards", (), {"card_no": " "}),
        ("find_cards", (), {"page_size": 101}),
        ("find_access_records", (datetime(2026, 1, 2), datetime(2026, 1, 1)), {}),
        ("find_access_records", ("2026-01-01", datetime(2026, 1, 2)), {}),
        (
            "find_alarm_records",
            (datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)),
            {},
        ),
        ("find_talk_log", (datetime(2026, 1, 1), datetime(2026, 1, 2)), {"page_size": 0}),
    ],
)
async def test_bad_arguments_send_nothing(
    vto: Simulator, vto_client: AmcrestClient, call: str, args: tuple[Any, ...], kwargs: Any
) -> None:
    with pytest.raises(InvalidParameterError):
        await getattr(vto_client.access, call)(*args, **kwargs)
    assert vto.stats["total"] == 0


async def test_other_profiles_are_unsupported(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await start_sim("ipc")
    client = make_client(sim)
    with pytest.raises(NotSupportedError):
        await client.access.get_door_status()
    with pytest.raises(NotSupportedError):
        await client.access.open_door()
    with pytest.raises(NotSupportedError):
        await client.access.find_cards()
