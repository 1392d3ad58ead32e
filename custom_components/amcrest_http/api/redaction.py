"""Redaction that can be trusted: a capture (see :mod:`.capture`) made safe to share.

Values are found two ways and then replaced everywhere, consistently (the same serial becomes
the same placeholder in every body, query, realm and event, so a replay still hangs together):

* by key: the value of a ``key=value`` line, a JSON ``"Key" : "value"`` pair or a query
  parameter whose last key part names something personal or secret (serial numbers, MAC and
  IP addresses, machine/channel/door/user/card names, card, phone, room and plate numbers,
  GPS, e-mail, hosts, passwords, nonces, tokens, keys);
* by shape, anywhere: MAC and IPv4 addresses, e-mail addresses, the host of a URL, and the
  serial of a ``Login to <serial>`` realm.

Every found value is replaced wherever it appears as a whole token, also URL-encoded and in
base64. Short or common values (``1``, ``admin``, ``true``) are replaced only where a
sensitive key names them, so the rest of a body keeps its meaning.
"""

from __future__ import annotations

import base64
import copy
import re
from typing import Any, Final
from urllib.parse import quote, quote_plus

#: Key parts (lower case, indices dropped) whose values are replaced, by kind.
_KEYS: Final[dict[str, str]] = {
    **dict.fromkeys(
        ("serialno", "serialnumber", "serial", "sn", "deviceserialno", "updateserial",
         "machineserial", "deviceid"), "serial"),
    **dict.fromkeys(("mac", "macaddress", "physicaladdress", "hwaddress"), "mac"),
    **dict.fromkeys(
        ("ipaddress", "ip", "defaultgateway", "gateway", "dnsservers", "address", "host",
         "hostname", "domainname", "domain", "server", "serveraddress", "clientaddress",
         "ipv4address", "ipv6address", "url", "snapurl"), "host"),
    **dict.fromkeys(
        ("machinename", "devicename", "cardname", "username", "usernames", "doorname",
         "memo", "nickname", "location", "owner", "plate", "platenumber"), "name"),
    **dict.fromkeys(
        ("cardno", "userid", "phonenumber", "roomnumber", "vthnumber", "callnumber",
         "shortnumber", "middlenumber", "peernumber", "number", "uid", "personid",
         "citizenid", "mobile", "telephone"), "number"),
    **dict.fromkeys(
        ("latitude", "longitude", "altitude", "gpslatitude", "gpslongitude"), "gps"),
    **dict.fromkeys(
        ("email", "mail", "sendaddress", "receivers", "receiver", "mailaddress"), "email"),
    **dict.fromkeys(
        ("password", "pwd", "passwd", "secret", "token", "key", "privatekey", "authorization",
         "cookie", "session", "sessionid", "nonce", "cnonce", "opaque", "salt", "random",
         "authcode", "realm", "psk", "wpakey", "encryptionkey"), "secret"),
}  # fmt: skip
#: Values never treated as personal (defaults and words the bodies are made of).
_COMMON: Final = frozenset(
    {"", "admin", "user", "default", "guest", "none", "null", "unknown", "true", "false",
     "0", "1", "0.0.0.0", "127.0.0.1",  # noqa: S104 - values, not an address bound "255.255.255.0", "255.255.0.0", "255.0.0.0", "--",
     "on", "off", "auto", "enable", "disable"}
)  # fmt: skip
_MAC: Final = re.compile(
    r"(?<![0-9A-Fa-f:-])(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}(?![0-9A-Fa-f:-])"
)
_IPV4: Final = re.compile(
    r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.])"
)
_EMAIL: Final = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}")
_URL_HOST: Final = re.compile(
    r"\b[A-Za-z][A-Za-z0-9+.-]{0,15}://(?:[^@/\s\"'<>]*@)?([^/:\s\"'<>?#]+)"
)
_REALM: Final = re.compile(r"Login to ([A-Za-z0-9][A-Za-z0-9._-]{0,63})")
_KV_LINE: Final = re.compile(r"^([^=\r\n]{1,256})=([^\r\n]*)(\r?)$", re.MULTILINE)
_JSON_PAIR: Final = re.compile(r'"([A-Za-z0-9_]{1,64})"\s*:\s*"((?:[^"\\\r\n]|\\.){0,512})"')
_JSON_NUMBER: Final = re.compile(r'"([A-Za-z0-9_]{1,64})"\s*:\s*(-?\d{1,20}(?:\.\d{1,20})?)')
#: Addresses that are not anybody's (loopback, "any", masks).
_KEEP_IP: Final = re.compile(r"^(?:127\.|0\.|255\.)")


#: Tables whose ``Name`` is someone's (the device, a channel, a user, a door, a camera); the
#: other names (rules, regions, presets, outputs) are the device's own labels and stay.
_NAMED_TABLES: Final = frozenset(
    {"", "table", "channeltitle", "users", "user", "accesscontrol", "remotedevice", "general",
     "records", "candidates"}
)  # fmt: skip


def _kind(key: str) -> str | None:
    """The kind of a key (``Table[0].Sub.Name`` -> its last part's kind), or None."""
    plain = re.sub(r"\[\d+\]", "", key).strip().lower()
    parts = plain.split(".")
    last = parts[-1]
    if last == "name":
        owner = (
            parts[-2]
            if len(parts) > 1 and parts[-2] != "table"
            else (parts[0] if len(parts) > 2 else "")
        )
        return "name" if owner in _NAMED_TABLES or parts[0] in ("channeltitle", "users") else None
    if last == "text":
        return "name" if "customtitle" in plain or plain.endswith("object.text") else None
    return _KEYS.get(last)


class Redactor:
    """Finds personal values and maps each, consistently, to a placeholder of its kind."""

    def __init__(self) -> None:
        self.mapping: dict[str, str] = {}
        self._counts: dict[str, int] = {}
        #: Values replaced only where a key names them (short or common ones).
        self._keyed_only: set[str] = set()
        self._compiled: tuple[int, re.Pattern[str] | None, dict[str, str]] | None = None

    def placeholder(self, kind: str, value: str) -> str:
        known = self.mapping.get(value)
        if known is not None:
            return known
        n = self._counts.get(kind, 0) + 1
        self._counts[kind] = n
        made = {
            "serial": f"SERIAL{n:07d}",
            "mac": f"02:00:00:00:{n // 256 % 256:02x}:{n % 256:02x}",
            "host": f"198.51.100.{n % 250 + 1}" if _IPV4.fullmatch(value) else f"host{n}.invalid",
            "name": f"Name {n}",
            "number": f"{n:0{max(len(value), 4)}d}" if value.isdigit() else f"N{n:04d}",
            "gps": "0.000000",
            "email": f"user{n}@example.invalid",
            "secret": "REDACTED",
        }[kind]
        self.mapping[value] = made
        return made

    def note(self, kind: str, value: str) -> None:
        """A value found under a sensitive key (or by its shape)."""
        value = value.strip()
        if value.lower() in _COMMON or (kind == "host" and _KEEP_IP.match(value)):
            return
        if kind == "host" and "://" in value:
            match = _URL_HOST.search(value)
            if match:
                self.note("host", match.group(1))
            return
        self.placeholder(kind, value)
        if len(value) < 4 or (value.isdigit() and len(value) < 6):
            self._keyed_only.add(value)

    def scan(self, text: str, *, by_key: bool = True) -> None:
        if by_key:
            for key, value, _cr in _KV_LINE.findall(text):
                kind = _kind(key)
                if kind is not None:
                    self.note(kind, value)
            for key, value in _JSON_PAIR.findall(text):
                kind = _kind(key)
                if kind is not None:
                    self.note(kind, value)
            for key, value in _JSON_NUMBER.findall(text):
                kind = _kind(key)
                if kind in ("gps", "number"):
                    self.note(kind, value)
        for match in _MAC.findall(text):
            self.note("mac", match)
        for match in _IPV4.findall(text):
            self.note("host", match)
        for match in _EMAIL.findall(text):
            self.note("email", match)
        for match in _URL_HOST.finditer(text):
            self.note("host", match.group(1))
        for match in _REALM.finditer(text):
            self.note("serial", match.group(1))

    def apply(self, text: str) -> str:
        """``text`` with every value found replaced (keyed-only ones at key positions).

        All values are replaced in one pass, so a placeholder is never taken for a value.
        """
        text = self._apply_keyed(text)
        pattern, forms = self._pattern()
        if pattern is None:
            return text
        return pattern.sub(lambda match: forms[match.group(0)], text)

    def _pattern(self) -> tuple[re.Pattern[str] | None, dict[str, str]]:
        if self._compiled is not None and self._compiled[0] == len(self.mapping):
            return self._compiled[1], self._compiled[2]
        forms: dict[str, str] = {}
        for value, new in self.mapping.items():
            if value not in self._keyed_only:
                for old_form, new_form in _forms(value, new):
                    forms.setdefault(old_form, new_form)
        pattern = None
        if forms:
            alternatives = "|".join(
                re.escape(form) for form in sorted(forms, key=len, reverse=True)
            )
            pattern = re.compile(rf"(?<![A-Za-z0-9])(?:{alternatives})(?![A-Za-z0-9])")
        self._compiled = (len(self.mapping), pattern, forms)
        return pattern, forms

    def _apply_keyed(self, text: str) -> str:
        def line(match: re.Match[str]) -> str:
            key, value = match.group(1), match.group(2)
            if _kind(key) is not None and value.strip() in self.mapping:
                return f"{key}={self.mapping[value.strip()]}{match.group(3)}"
            return match.group(0)

        def pair(match: re.Match[str]) -> str:
            key, value = match.group(1), match.group(2)
            if _kind(key) is not None and value.strip() in self.mapping:
                return match.group(0).replace(f'"{value}"', f'"{self.mapping[value.strip()]}"')
            return match.group(0)

        def number(match: re.Match[str]) -> str:
            key, value = match.group(1), match.group(2)
            if _kind(key) in ("gps", "number") and value in self.mapping:
                replacement = self.mapping[value]
                shown = replacement if replacement.replace(".", "").isdigit() else "0"
                return match.group(0)[: match.start(2) - match.start(0)] + shown
            return match.group(0)

        text = _KV_LINE.sub(line, text)
        text = _JSON_PAIR.sub(pair, text)
        return _JSON_NUMBER.sub(number, text)


def _forms(old: str, new: str) -> list[tuple[str, str]]:
    """A value as it may appear: raw, URL-encoded (two ways) and in base64."""
    forms = [(old, new)]
    for encode in (quote, quote_plus):
        encoded = encode(old, safe="")
        if encoded != old:
            forms.append((encoded, encode(new, safe="")))
    b64 = base64.b64encode(old.encode()).decode().rstrip("=")
    if len(b64) >= 8:
        forms.append((b64, base64.b64encode(new.encode()).decode().rstrip("=")))
    return forms


def _texts(capture: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    """Every (holder, key) of a capture that carries device text."""
    found: list[tuple[dict[str, Any], str]] = []
    for exchange in capture.get("exchanges", []):
        found += [
            (exchange, key) for key in ("target", "body") if isinstance(exchange.get(key), str)
        ]
    events = capture.get("events") or {}
    found += [(events, key) for key in ("raw", "target") if isinstance(events.get(key), str)]
    params = (capture.get("auth") or {}).get("params") or {}
    found += [(params, key) for key in list(params) if isinstance(params.get(key), str)]
    return found


def redact_capture(capture: dict[str, Any], *, extra: list[str] | None = None) -> dict[str, Any]:
    """A redacted copy of ``capture``; ``extra``: further values to take out (the account name
    and host a capture was made with)."""
    result = copy.deepcopy(capture)
    events = result.get("events")
    if isinstance(events, dict) and isinstance(events.get("raw_base64"), str):
        # Bytes that were not UTF-8: redacted as text (odd bytes become U+FFFD), never
        # passed on in a form the redaction cannot read.
        raw = base64.b64decode(events.pop("raw_base64"), validate=False)
        events["raw"] = raw.decode("utf-8", "replace")
    redactor = Redactor()
    for value in extra or ():
        if value:
            redactor.note("host" if _IPV4.fullmatch(value) else "name", value)
    holders = _texts(result)
    for holder, key in holders:
        # Query parameters name tables and endpoints (``name=MotionDetect``): they are taken
        # by shape only, and get the values found in bodies replaced.
        redactor.scan(holder[key], by_key=key != "target")
    for holder, key in holders:
        holder[key] = redactor.apply(holder[key])
    result["redacted"] = True
    return result


__all__ = ["Redactor", "redact_capture"]
