"""Accounts (userManager.cgi): the list without passwords, deleting, odd answers."""

from __future__ import annotations

import pytest

from custom_components.amcrest_http.api import (
    InvalidParameterError,
    MalformedResponseError,
    NotSupportedError,
)
from custom_components.amcrest_http.api.users import FACTORY_ACCOUNTS, Account, parse_accounts
from tests.conftest import USERNAME, ClientFactory, SimFactory


async def test_the_list_and_deleting_factory_accounts(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    plain = make_client(await start_sim("ipc"))
    assert await plain.users.list() == [Account(USERNAME, "admin", reserved=True)]

    sim = await start_sim("nvr", quirks={"factory_accounts"})
    client = make_client(sim)
    accounts = await client.users.list()
    assert {a.name for a in accounts} - {USERNAME} == FACTORY_ACCOUNTS
    await client.users.delete("888888")
    assert [a.name for a in await client.users.list()] == [USERNAME, "666666"]
    # The reserved administrator and unknown accounts are refused by the device.
    for name in (USERNAME, "nobody"):
        with pytest.raises(InvalidParameterError):
            await client.users.delete(name)
    sim.reset_stats()
    for bad in ("", "  ", "x" * 65, 7):
        with pytest.raises(InvalidParameterError):
            await client.users.delete(bad)  # type: ignore[arg-type]
    assert sim.stats["authorized"] == 0


def test_odd_lists() -> None:
    text = (
        "users[0].Name=admin\r\nusers[0].Password=******\r\nusers[0].Reserved=TRUE\r\n"
        "users[1].Name=\r\nusers[2].Name=" + "n" * 65 + "\r\nusers[3].Name=guest\r\n"
    )
    assert parse_accounts(text) == [
        Account("admin", None, reserved=True),
        Account("guest", None, reserved=False),
    ]
    assert parse_accounts("") == []
    with pytest.raises(NotSupportedError):
        parse_accounts("result=1\r\n")
    with pytest.raises(MalformedResponseError):
        parse_accounts("garbage without equals")
