"""Authentication: digest nonce rules, Basic-only firmware, failed logins and lock-out."""

from __future__ import annotations

import asyncio
import base64

import pytest

from simulator import Simulator
from tests.simulator.conftest import ClientFactory, SimFactory
from tests.simulator.digest import DigestClient, digest_header, parse_challenge

SERIAL_PATH = "/cgi-bin/magicBox.cgi?action=getSerialNo"
PASSWORD = "admin123"


async def _challenge(client: DigestClient) -> dict[str, str]:
    reply = await client.raw(SERIAL_PATH)
    assert reply.status == 401
    return parse_challenge(reply.headers["WWW-Authenticate"])


def _auth(challenge: dict[str, str], *, nc: int = 1, password: str = PASSWORD) -> dict[str, str]:
    header = digest_header(
        username="admin",
        password=password,
        challenge=challenge,
        method="GET",
        uri=SERIAL_PATH,
        nc=nc,
    )
    return {"Authorization": header}


async def test_challenge_shape_and_success(sim: Simulator, client: DigestClient) -> None:
    first = await client.raw(SERIAL_PATH)
    assert first.status == 401
    assert first.body == b""
    header = first.headers["WWW-Authenticate"]
    assert header.startswith(
        f'Digest realm="Login to {sim.state.identity.serial}", qop="auth", nonce="'
    )
    assert 'opaque="' in header
    assert "stale" not in header

    reply = await client.get(SERIAL_PATH)
    assert reply.status == 200
    assert reply.text == f"sn={sim.state.identity.serial}\r\n"
    assert reply.headers["Content-Type"] == "text/plain;charset=utf-8"
    assert sim.stats["failed_logins"] == 0


async def test_nonce_reuse_with_increasing_nc(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await make_sim(profile="ptz")  # Dahua firmware: a nonce serves many requests
    client = make_client(sim)
    for _ in range(4):
        assert (await client.get(SERIAL_PATH)).status == 200
    assert client.challenges_seen == 1
    stats = sim.stats
    assert stats["total"] == 5
    assert stats["authorized"] == 4


async def test_amcrest_nonces_are_single_use(sim: Simulator, client: DigestClient) -> None:
    """The ipc (Amcrest) profile: each nonce answers one request; a reuse is re-challenged
    (stale, not a failed login) and every answer closes the connection."""
    for _ in range(3):
        reply = await client.get(SERIAL_PATH)
        assert reply.status == 200
        assert reply.headers["Connection"] == "close"
    assert client.challenges_seen == 3
    assert sim.stats["authorized"] == 3
    assert sim.stats["failed_logins"] == 0


async def test_repeated_nc_is_stale_not_failed(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await make_sim(profile="ptz")
    client = make_client(sim)
    challenge = await _challenge(client)
    assert (await client.raw(SERIAL_PATH, _auth(challenge, nc=2))).status == 200
    for nc in (2, 1):
        again = await client.raw(SERIAL_PATH, _auth(challenge, nc=nc))
        assert again.status == 401
        assert again.headers["WWW-Authenticate"].endswith(", stale=TRUE")
    assert sim.stats["failed_logins"] == 0
    assert sim.lockout().failed_logins == 0


async def test_unknown_nonce_is_stale_not_failed(sim: Simulator, client: DigestClient) -> None:
    challenge = await _challenge(client)
    forged = dict(challenge, nonce="00" * 16)
    reply = await client.raw(SERIAL_PATH, _auth(forged, password="wrong"))
    assert reply.status == 401
    assert "stale=TRUE" in reply.headers["WWW-Authenticate"]
    assert sim.stats["failed_logins"] == 0


async def test_expired_nonce_is_stale(make_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await make_sim(profile="ipc", nonce_lifetime=0.2)
    client = make_client(sim)
    challenge = await _challenge(client)
    await asyncio.sleep(0.3)
    reply = await client.raw(SERIAL_PATH, _auth(challenge))
    assert reply.status == 401
    assert "stale=TRUE" in reply.headers["WWW-Authenticate"]
    assert sim.stats["failed_logins"] == 0
    assert (await client.get(SERIAL_PATH)).status == 200


async def test_missing_header_is_not_a_failed_login(sim: Simulator, client: DigestClient) -> None:
    for _ in range(sim.auth.lockout_attempts + 2):
        assert (await client.raw(SERIAL_PATH)).status == 401
    assert sim.stats["failed_logins"] == 0
    assert not sim.lockout().locked


async def test_wrong_password_counts_once(sim: Simulator, make_client: ClientFactory) -> None:
    client = make_client(sim, password="wrong")
    reply = await client.get(SERIAL_PATH)
    assert reply.status == 401
    assert "stale" not in reply.headers["WWW-Authenticate"]
    stats = sim.stats
    assert stats["failed_logins"] == 1
    assert stats["total"] == 2
    assert stats["authorized"] == 0
    assert sim.lockout().failed_logins == 1


async def test_unknown_user_counts(sim: Simulator, make_client: ClientFactory) -> None:
    reply = await make_client(sim, username="intruder").get(SERIAL_PATH)
    assert reply.status == 401
    assert sim.stats["failed_logins"] == 1


async def test_success_resets_failure_count(sim: Simulator, make_client: ClientFactory) -> None:
    await make_client(sim, password="wrong").get(SERIAL_PATH)
    assert sim.lockout().failed_logins == 1
    assert (await make_client(sim).get(SERIAL_PATH)).status == 200
    assert sim.lockout().failed_logins == 0
    assert sim.stats["failed_logins"] == 1


async def test_quoted_tokens_rejected_with_the_quirk(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    """Opt-in: some Amcrest models refuse quoted qop/nc/algorithm (koush/scrypted #2122)."""
    sim = await make_sim(profile="ipc", quirks={"strict_digest_tokens"})
    reply = await make_client(sim, quote_tokens=True).get(SERIAL_PATH)
    assert reply.status == 401
    assert sim.stats["failed_logins"] == 1


async def test_quoted_tokens_accepted_by_default(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await make_sim(profile="ipc")
    assert (await make_client(sim, quote_tokens=True).get(SERIAL_PATH)).status == 200
    ptz = await make_sim(profile="ptz")
    assert (await make_client(ptz, quote_tokens=True).get(SERIAL_PATH)).status == 200


async def test_single_use_nonce(make_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await make_sim(profile="ptz", quirks={"single_use_nonce"})
    client = make_client(sim)
    for _ in range(3):
        assert (await client.get(SERIAL_PATH)).status == 200
    assert client.challenges_seen == 3
    assert sim.stats["failed_logins"] == 0


LOCKED_TEXT = "Error\r\nUser Locked! Please try again after 30 minutes.\r\n"


@pytest.mark.parametrize(
    "case",
    [
        # quirk, HTTP status, body prefix, carries a WWW-Authenticate challenge
        ("lock_text", 401, LOCKED_TEXT, True),
        ("lock_remain_seconds", 401, "401 Unauthorized (User Locked) remainLockSecond: 1", True),
        ("lock_403", 403, LOCKED_TEXT, False),
    ],
)
async def test_lockout_answers(
    make_sim: SimFactory, make_client: ClientFactory, case: tuple[str, int, str, bool]
) -> None:
    quirk, status, body_start, challenged = case
    sim = await make_sim(profile="ipc", lockout_attempts=3, quirks={quirk})
    bad = make_client(sim, password="wrong")
    for _ in range(2):
        assert (await bad.get(SERIAL_PATH)).status == 401
    locking = await bad.get(SERIAL_PATH)
    assert locking.status == status
    assert sim.lockout().locked

    good = make_client(sim)
    for reply in (await good.raw(SERIAL_PATH), await good.get(SERIAL_PATH), locking):
        assert reply.status == status
        assert reply.text.startswith(body_start)
        assert reply.text.endswith("\r\n")
        assert ("WWW-Authenticate" in reply.headers) is challenged
    assert sim.stats["failed_logins"] == 3
    assert sim.stats["authorized"] == 0
    state = sim.state_snapshot()["lockout"]
    assert state["locked"] is True
    assert 1700 < state["remaining_seconds"] <= 1800


async def test_lockout_expires(make_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await make_sim(profile="ipc", lockout_attempts=2, lockout_seconds=0.3)
    bad = make_client(sim, password="wrong")
    await bad.get(SERIAL_PATH)
    locked = await bad.get(SERIAL_PATH)
    assert "User Locked! Please try again after 1 minutes." in locked.text
    good = make_client(sim)
    assert (await good.get(SERIAL_PATH)).status == 401
    await asyncio.sleep(0.4)
    assert (await good.get(SERIAL_PATH)).status == 200
    assert sim.lockout().failed_logins == 0


async def test_no_failures_counted_while_locked(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await make_sim(profile="ipc", lockout_attempts=1)
    bad = make_client(sim, password="wrong")
    await bad.get(SERIAL_PATH)
    for _ in range(3):
        await bad.get(SERIAL_PATH)
    assert sim.stats["failed_logins"] == 1


async def test_unlock(make_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await make_sim(profile="ipc", lockout_attempts=1)
    await make_client(sim, password="wrong").get(SERIAL_PATH)
    assert sim.lockout().locked
    sim.unlock()
    good = make_client(sim)
    assert (await good.get(SERIAL_PATH)).status == 200
    await make_client(sim, password="wrong").get(SERIAL_PATH)
    assert sim.lockout().locked
    async with good.session.post(f"{sim.url}/sim/unlock") as resp:
        assert resp.status == 200
    assert not sim.lockout().locked
    assert (await good.get(SERIAL_PATH)).status == 200


async def test_auth_error_200_on_thermal(make_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await make_sim(profile="thermal", lockout_attempts=2)
    bad = make_client(sim, password="wrong")
    reply = await bad.get(SERIAL_PATH)
    assert reply.status == 200
    assert reply.text == "Error\r\nErrorID=0, Detail=Invalid Authority!\r\n"
    assert sim.stats["failed_logins"] == 1
    assert (await bad.get(SERIAL_PATH)).status == 401  # second failure locks (lock_text)
    assert sim.lockout().locked


def _basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


async def test_basic_only_mode(make_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await make_sim(profile="ipc", auth="basic")
    client = make_client(sim)
    first = await client.raw(SERIAL_PATH)
    assert first.status == 401
    assert first.headers["WWW-Authenticate"] == 'Basic realm="Device_CGI"'

    ok = await client.raw(SERIAL_PATH, _basic("admin", "admin123"))
    assert ok.status == 200
    assert ok.text.startswith("sn=")

    # A digest answer is not understood: just another challenge, not a failed login.
    digest = await client.raw(SERIAL_PATH, _auth({"realm": "Device_CGI", "nonce": "ab" * 16}))
    assert digest.status == 401
    assert sim.stats["failed_logins"] == 0

    wrong = await client.raw(SERIAL_PATH, _basic("admin", "nope"))
    assert wrong.status == 401
    assert sim.stats["failed_logins"] == 1


async def test_digest_mode_ignores_basic(sim: Simulator, client: DigestClient) -> None:
    reply = await client.raw(SERIAL_PATH, _basic("admin", "admin123"))
    assert reply.status == 401
    assert reply.headers["WWW-Authenticate"].startswith("Digest ")
    assert sim.stats["failed_logins"] == 0


async def test_control_surface_needs_no_auth(sim: Simulator, client: DigestClient) -> None:
    async with client.session.get(f"{sim.url}/sim/state") as resp:
        assert resp.status == 200
    assert sim.stats["total"] == 0
