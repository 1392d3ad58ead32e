"""Transport and authentication against the simulator over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from custom_components.amcrest_http.api import (
    AmcrestClient,
    AuthenticationError,
    CannotConnectError,
    DeviceTimeoutError,
    InvalidParameterError,
    LockedOutError,
    MalformedResponseError,
    NotSupportedError,
)
from custom_components.amcrest_http.api.transport import Transport
from simulator import Simulator
from tests.conftest import PASSWORD, ClientFactory, SimFactory


async def test_every_digest_request_starts_from_a_fresh_challenge(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    """Even on firmware that would take a nonce again (the ptz profile): a refusal of a fresh
    nonce is definite, so a changed password never costs a second login."""
    sim = await start_sim("ptz")
    client = make_client(sim)
    assert await client.system.get_serial_number() == sim.state.identity.serial
    for _ in range(5):
        await client.system.get_vendor()
    stats = sim.stats
    assert stats["failed_logins"] == 0
    assert stats["authorized"] == 6
    assert stats["total"] == 12


@pytest.mark.parametrize("profile", ["ipc", "nvr"])
@pytest.mark.parametrize("auth", ["digest", "basic"])
async def test_a_password_changed_under_concurrent_requests_costs_one_failed_login(
    *, start_sim: SimFactory, make_client: ClientFactory, profile: str, auth: str
) -> None:
    """Credentials go out one request at a time until the device has answered them."""
    sim = await start_sim(profile, auth=auth)
    client = make_client(sim)
    for _ in range(3):
        await client.system.get_vendor()
    sim.auth.password = "changed"
    results = await asyncio.gather(
        *(client.system.get_vendor() for _ in range(6)), return_exceptions=True
    )
    assert all(isinstance(result, AuthenticationError) for result in results)
    assert sim.stats["failed_logins"] == 1


async def test_single_use_nonces_cost_one_challenge_per_request(
    ipc: Simulator, ipc_client: AmcrestClient
) -> None:
    """Amcrest firmware (the ipc default): each nonce answers one request, so every request
    is challenged once, and none of it counts as a failed login."""
    assert await ipc_client.system.get_serial_number() == ipc.state.identity.serial
    for _ in range(5):
        await ipc_client.system.get_vendor()
    stats = ipc.stats
    assert stats["failed_logins"] == 0
    assert stats["authorized"] == 6
    assert stats["total"] == 12


async def test_basic_only_device(start_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await start_sim("ipc", auth="basic")
    client = make_client(sim)
    assert await client.system.get_serial_number() == sim.state.identity.serial
    await client.system.get_vendor()
    assert sim.stats["failed_logins"] == 0
    assert sim.stats["total"] == 3  # challenge + two requests with Basic sent up front


async def test_wrong_password_costs_exactly_one_failed_login(
    ipc: Simulator, make_client: ClientFactory
) -> None:
    client = make_client(ipc, password="wrong")
    with pytest.raises(AuthenticationError):
        await client.system.get_serial_number()
    assert ipc.stats["failed_logins"] == 1
    sent = ipc.stats["total"]
    # Further calls are refused locally, without touching the network.
    for _ in range(10):
        with pytest.raises(AuthenticationError):
            await client.system.get_vendor()
    assert ipc.stats["total"] == sent
    assert ipc.stats["failed_logins"] == 1
    # New credentials lift the refusal.
    client.transport.set_credentials("admin", PASSWORD)
    assert await client.system.get_vendor()
    assert ipc.stats["failed_logins"] == 1


async def test_wrong_password_on_basic_device(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await start_sim("ipc", auth="basic")
    client = make_client(sim, password="nope")
    with pytest.raises(AuthenticationError):
        await client.system.get_serial_number()
    with pytest.raises(AuthenticationError):
        await client.system.get_serial_number()
    assert sim.stats["failed_logins"] == 1


async def test_wrong_user(ipc: Simulator, make_client: ClientFactory) -> None:
    client = make_client(ipc, username="intruder")
    with pytest.raises(AuthenticationError):
        await client.system.get_serial_number()
    assert ipc.stats["failed_logins"] == 1


async def test_stale_nonce_is_renewed_without_a_failed_login(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await start_sim("ipc", nonce_lifetime=0.2)
    client = make_client(sim)
    await client.system.get_serial_number()
    await asyncio.sleep(0.4)
    assert await client.system.get_vendor()
    await asyncio.sleep(0.4)
    assert await client.system.get_device_type()
    assert sim.stats["failed_logins"] == 0


async def test_single_use_nonce_device(start_sim: SimFactory, make_client: ClientFactory) -> None:
    """A device refusing nonce reuse: never asked to take one, so nothing is refused."""
    sim = await start_sim("ipc", quirks={"single_use_nonce"})
    client = make_client(sim)
    for _ in range(4):
        assert await client.system.get_serial_number() == sim.state.identity.serial
    stats = sim.stats
    assert stats["authorized"] == 4
    assert stats["failed_logins"] == 0
    assert stats["total"] == 8


async def test_strict_digest_tokens_are_satisfied(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    """Amcrest firmware that refuses quoted qop/nc accepts what we send."""
    sim = await start_sim("ipc", quirks={"strict_digest_tokens"})
    client = make_client(sim)
    assert await client.system.get_serial_number() == sim.state.identity.serial
    assert sim.stats["failed_logins"] == 0


async def test_auth_error_200_is_an_auth_failure(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await start_sim("thermal")
    client = make_client(sim, password="wrong")
    with pytest.raises(AuthenticationError):
        await client.system.get_serial_number()
    with pytest.raises(AuthenticationError):
        await client.system.get_serial_number()
    assert sim.stats["failed_logins"] == 1
    good = make_client(sim)
    assert await good.system.get_serial_number() == sim.state.identity.serial


@pytest.mark.parametrize(
    ("quirk", "minutes"),
    [("lock_text", 30), ("lock_remain_seconds", 30), ("lock_403", 30)],
)
async def test_lock_out_is_recognised_with_minutes(
    start_sim: SimFactory, make_client: ClientFactory, quirk: str, minutes: int
) -> None:
    sim = await start_sim("ipc", quirks={quirk}, lockout_attempts=2, lockout_seconds=1800)
    with pytest.raises(AuthenticationError):
        await make_client(sim, password="bad").system.get_serial_number()
    # The failed login that reaches the limit is answered with the lock itself.
    with pytest.raises(LockedOutError):
        await make_client(sim, password="bad").system.get_serial_number()
    client = make_client(sim)  # right password, but the device is locked now
    with pytest.raises(LockedOutError) as info:
        await client.system.get_serial_number()
    assert info.value.minutes == minutes
    sent = sim.stats["total"]
    # While the lock lasts the client does not knock again.
    with pytest.raises(LockedOutError):
        await client.system.get_vendor()
    assert sim.stats["total"] == sent
    assert sim.stats["failed_logins"] == 2


async def test_lock_out_expires(start_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await start_sim("ipc", lockout_attempts=1, lockout_seconds=0.5)
    with pytest.raises(LockedOutError):
        await make_client(sim, password="bad").system.get_serial_number()
    client = make_client(sim)
    with pytest.raises(LockedOutError) as info:
        await client.system.get_serial_number()
    assert info.value.minutes == 1
    await asyncio.sleep(0.7)
    client.transport.set_credentials("admin", PASSWORD)  # the user re-enters them
    assert await client.system.get_serial_number() == sim.state.identity.serial


async def test_at_most_two_requests_in_flight(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await start_sim("ipc")
    client = make_client(sim)
    await client.system.get_serial_number()
    sim.add_fault(kind="latency", seconds=0.05)
    results = await asyncio.gather(*(client.system.get_vendor() for _ in range(10)))
    assert len(set(results)) == 1
    assert sim.stats["max_in_flight"] <= 2
    assert sim.stats["failed_logins"] == 0


async def test_logins_never_run_in_parallel(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    """Ten calls at once: each is challenged and signed in turn, never two at a time."""
    sim = await start_sim("ptz")
    client = make_client(sim)
    sim.add_fault(kind="latency", seconds=0.05)
    await asyncio.gather(*(client.system.get_vendor() for _ in range(10)))
    stats = sim.stats
    assert stats["authorized"] == 10
    assert stats["total"] - stats["authorized"] == 10
    assert stats["max_in_flight"] == 1
    assert stats["failed_logins"] == 0


async def test_unreachable_device(session: aiohttp.ClientSession, socket_enabled: None) -> None:
    # A port nothing listens on (bound then released).
    probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = probe.sockets[0].getsockname()[1]
    probe.close()
    await probe.wait_closed()
    client = AmcrestClient(session, "127.0.0.1", port, username="a", password="b")
    with pytest.raises(CannotConnectError):
        await client.system.get_serial_number()


async def test_timeout(ipc: Simulator, make_client: ClientFactory) -> None:
    client = make_client(ipc, timeout=0.3)
    ipc.add_fault(kind="latency", seconds=2.0)
    with pytest.raises(DeviceTimeoutError):
        await client.system.get_serial_number()


async def test_connection_reset(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    await ipc_client.system.get_serial_number()
    # aiohttp retries a request once when a pooled connection drops; a device that keeps
    # dropping the connection is unreachable.
    ipc.add_fault(kind="reset")
    with pytest.raises(CannotConnectError):
        await ipc_client.system.get_vendor()
    ipc.clear_faults()
    assert await ipc_client.system.get_vendor()  # the next request goes through


async def test_server_error_status(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    from custom_components.amcrest_http.api import DeviceError

    await ipc_client.system.get_serial_number()
    ipc.add_fault(kind="status", status=500, count=1)
    with pytest.raises(DeviceError):
        await ipc_client.system.get_vendor()
    ipc.add_fault(kind="status", status=404, count=1)
    with pytest.raises(NotSupportedError):
        await ipc_client.system.get_vendor()


async def test_malformed_answer_is_not_supported(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    await ipc_client.system.get_serial_number()
    ipc.add_fault(kind="malformed", count=1)
    with pytest.raises((NotSupportedError, MalformedResponseError)):
        await ipc_client.system.get_vendor()


async def test_invalid_parameter(ipc_client: AmcrestClient) -> None:
    with pytest.raises(InvalidParameterError):
        await ipc_client.cgi_ok("global.cgi", "setCurrentTime", {"time": "not-a-time"})


@pytest.mark.parametrize("profile", ["ipc", "ptz", "nvr", "vto", "thermal"])
async def test_unknown_table_is_not_supported_on_every_profile(
    start_sim: SimFactory, make_client: ClientFactory, profile: str
) -> None:
    sim = await start_sim(profile)
    client = make_client(sim)
    with pytest.raises(NotSupportedError):
        await client.get_config("NoSuchTable")
    with pytest.raises(NotSupportedError):
        await client.cgi("magicBox.cgi", "noSuchAction")
    with pytest.raises(NotSupportedError):
        await client.cgi("noSuch.cgi", "get")
    assert sim.stats["failed_logins"] == 0


@pytest.mark.parametrize(
    "quirk",
    [
        "unknown_table_error_body",
        "unknown_table_bare_error",
        "unknown_table_empty",
        "unknown_table_400",
        "unknown_table_json403",
        "unknown_table_unknown_error",
    ],
)
async def test_every_unknown_table_shape(
    start_sim: SimFactory, make_client: ClientFactory, quirk: str
) -> None:
    sim = await start_sim("ipc", quirks={quirk})
    with pytest.raises(NotSupportedError):
        await make_client(sim).get_config("NoSuchTable")


async def test_not_implemented_501(start_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await start_sim("ipc", quirks={"not_implemented_501"})
    with pytest.raises(NotSupportedError):
        await make_client(sim).cgi("magicBox.cgi", "noSuchAction")


async def test_lowercase_ok(start_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await start_sim("ipc", quirks={"lowercase_ok"})
    client = make_client(sim)
    await client.system.set_machine_name("Porch")
    assert await client.system.get_machine_name() == "Porch"


async def test_https_url_and_default_ports(session: aiohttp.ClientSession) -> None:
    transport = Transport(session, "cam.local", username="u", password="p", use_https=True)
    assert transport.port == 443
    assert transport.base_url == "https://cam.local"
    plain = Transport(session, "10.0.0.5", 8080, username="u", password="p")
    assert plain.url("/cgi-bin/x.cgi", {"a": "b c"}) == "http://10.0.0.5:8080/cgi-bin/x.cgi?a=b%20c"
    v6 = Transport(session, "fe80::2", username="u", password="p")
    assert v6.base_url == "http://[fe80::2]"


async def test_refusal_in_a_long_body_is_remembered(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    """An auth error found only by parsing the body still stops further attempts."""
    sim = await start_sim("ipc")
    client = make_client(sim)
    await client.system.get_serial_number()
    with pytest.raises(AuthenticationError):
        client.transport.check_body(200, "Error\r\nErrorID=0, Detail=Invalid Authority!\r\n")
    sent = sim.stats["total"]
    with pytest.raises(AuthenticationError):
        await client.system.get_vendor()
    assert sim.stats["total"] == sent


async def test_lock_found_in_a_body_is_remembered(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await start_sim("ipc")
    client = make_client(sim)
    with pytest.raises(LockedOutError) as info:
        client.transport.check_body(200, "Error\r\nUser Locked! Please try again after 3 minutes.")
    assert info.value.minutes == 3
    with pytest.raises(LockedOutError):
        await client.system.get_vendor()
    assert sim.stats["total"] == 0


async def test_a_request_cancelled_while_its_credentials_are_out_costs_no_second_login(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    """The password changed on the device; the first request is cancelled after sending its
    credentials (a task cancelled when the event stream drops). Its answer is still read, so
    the refusal is remembered and the next request sends nothing."""
    sim = await start_sim("nvr")
    client = make_client(sim)
    await client.system.get_serial_number()
    sim.auth.password = "changed-on-the-device"
    sim.reset_stats()
    sim.add_fault("latency", seconds=0.4, path="/cgi-bin/magicBox.cgi")
    first = asyncio.create_task(client.system.get_serial_number())
    await asyncio.sleep(0.6)  # the challenge is answered, the credentials are on their way
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    with pytest.raises(AuthenticationError):
        await client.system.get_machine_name()
    assert sim.stats["failed_logins"] == 1
