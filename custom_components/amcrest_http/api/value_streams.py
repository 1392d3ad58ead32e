"""Value subscriptions: long-lived multipart streams whose text parts carry ``key=value`` lines.

Some endpoints push what a client would otherwise poll, in the framing of the event attach
stream (api-reference §4.9.17): ``RadiometryManager.cgi?action=attachTemper`` (rule
temperatures, §10.2.8) and ``videoStatServer.cgi?action=attach`` (people counts, §8). Each
text part is one reading in the same ``key=value`` lines the matching poll answers, or
``Heartbeat``.

:class:`TextPartParser` reuses the event stream's incremental framing parser (every framing
variant it copes with, heartbeats, size caps) and hands out the text of each part.
:class:`PushStream` keeps one such stream open with the event stream's rules: heartbeat
watchdog, reconnects with exponential back-off and jitter, a hard stop on authentication and
lock-out failures. Unlike the event stream it also stops for good, raising
:class:`NotSupportedError`, when the device refuses the subscription, so the caller can poll
instead.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Unpack

import aiohttp

from .errors import (
    AuthenticationError,
    InvalidParameterError,
    LockedOutError,
    MalformedResponseError,
    NotSupportedError,
)
from .event_body import DeviceEvent
from .event_stream import ReconnectingStream, StreamSettings
from .multipart import DEFAULT_BOUNDARY, EventParser, boundary_from_content_type
from .transport import Transport

if TYPE_CHECKING:
    from .client import AmcrestClient
    from .codec import Scalar

_LOGGER = logging.getLogger(__name__)


class TextPartParser(EventParser):
    """The attach-stream framing parser, handing out each part's text instead of events.

    Feed bytes with :meth:`feed_parts`; heartbeat parts are counted (``heartbeats``), not
    handed out. Like the event parser it never raises.
    """

    def __init__(self, boundary: str = DEFAULT_BOUNDARY) -> None:
        super().__init__(boundary)
        self._texts: list[str] = []

    def _parse_part(self, text: str) -> tuple[list[DeviceEvent], bool]:
        # The Content-Length is trusted as it is: key=value parts have no JSON to complete.
        if text.strip():
            self._texts.append(text)
        return [], False

    def feed_parts(self, chunk: bytes) -> list[str]:
        """Add received bytes; return the text of every non-empty part they complete."""
        self.feed(chunk)
        texts, self._texts = self._texts, []
        return texts


class PushStream[T](ReconnectingStream):
    """Keeps one value subscription open and hands each parsed reading to a callback.

    ``parse`` turns a part's text into a reading, returns None for a part that is fine but
    carries nothing for this subscriber (another channel, no known rule), and raises
    :class:`MalformedResponseError` for a part it cannot read: that part is skipped with one
    debug line, never the stream.
    """

    def __init__(
        self,
        client: AmcrestClient,
        cgi: str,
        action: str,
        params: list[tuple[str, Scalar]],
        parse: Callable[[Any], T | None],
        **settings: Unpack[StreamSettings],
    ) -> None:
        super().__init__(client, **settings)
        self._parse = parse
        query: list[tuple[str, Scalar]] = [
            ("action", action),
            *params,
            ("heartbeat", self._heartbeat),
        ]
        self.target = Transport.target(f"/cgi-bin/{cgi}", query)
        #: Readings handed to the callback.
        self.values_received = 0
        #: Parts that did not parse (skipped).
        self.malformed_parts = 0
        #: Parts that parsed but carried nothing for this subscriber.
        self.ignored_parts = 0
        self.last_value_monotonic: float | None = None

    fatal_errors = (AuthenticationError, LockedOutError, NotSupportedError)
    kind = "push stream"

    async def run(self, callback: Callable[[T], None]) -> None:
        """Deliver readings until cancelled.

        Raises :class:`NotSupportedError` when the device refuses the subscription (an error
        answer, or a plain answer that ends without a single part), and authentication and
        lock-out errors; every other failure is retried with back-off.
        """
        await self._run_reconnecting(lambda: self._connect_once(callback))

    @property
    def _label(self) -> str:
        return f"{self._client.host} {self.target.partition('&heartbeat=')[0]}"

    async def _connect_once(self, callback: Callable[[T], None]) -> None:
        self._opened_at = None
        transport = self._client.transport
        # One deadline covers opening (the stream request has no total timeout) and then
        # the watchdog: each part received (a heartbeat at least) pushes it back.
        async with asyncio.timeout(transport.timeout + self.watchdog_seconds) as deadline:
            try:
                async with transport.stream(self.target) as resp:
                    try:
                        await self._read(resp, deadline, callback)
                    finally:
                        resp.close()
            except InvalidParameterError as err:
                # ErrorID 4 on opening: the device will not stream this channel.
                raise NotSupportedError(f"subscription refused: {err}") from err

    async def _read(
        self,
        resp: aiohttp.ClientResponse,
        deadline: asyncio.Timeout,
        callback: Callable[[T], None],
    ) -> None:
        content_type = resp.headers.get("Content-Type", "")
        multipart = resp.content_type.startswith("multipart/")
        parser = self._parser(boundary_from_content_type(content_type) or DEFAULT_BOUNDARY)
        if multipart:
            self._opened()
        self._watch(deadline)
        heartbeats = parts = 0
        while chunk := await resp.content.readany():
            texts = parser.feed_parts(chunk)
            if parser.parts != parts:
                parts = parser.parts
                self._alive()
            if parser.heartbeats != heartbeats:
                self.heartbeats += parser.heartbeats - heartbeats
                heartbeats = parser.heartbeats
            if not self.connected and parser.parts:
                self._opened()  # mislabelled, but it does speak the format
            for text in texts:
                self._deliver(text, callback)
        if not multipart and not parser.parts:
            # Some firmware answers a refused subscription with 200 and closes at once.
            raise NotSupportedError("the device answered without a stream")

    def _parser(self, boundary: str) -> TextPartParser | Any:
        """The framing parser; its ``feed_parts`` hands out what ``parse`` takes."""
        return TextPartParser(boundary)

    def _deliver(self, text: Any, callback: Callable[[T], None]) -> None:
        try:
            value = self._parse(text)
        except MalformedResponseError as err:
            self.malformed_parts += 1
            _LOGGER.debug("push stream %s: part skipped (%s)", self._label, err)
            return
        if value is None:
            self.ignored_parts += 1
            return
        self.values_received += 1
        self.last_value_monotonic = time.monotonic()
        try:
            callback(value)
        except Exception:
            _LOGGER.exception("Push stream %s: callback failed", self._label)

    def as_dict(self) -> dict[str, object]:
        """Counters for diagnostics (no URL: it names the host)."""
        return {
            **super().as_dict(),
            "values_received": self.values_received,
            "malformed_parts": self.malformed_parts,
            "ignored_parts": self.ignored_parts,
        }


__all__ = ["PushStream", "TextPartParser"]
