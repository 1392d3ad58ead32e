"""The device's accounts (``userManager.cgi``, spec 4.12): who can sign in, and the factory
accounts older Dahua firmware ships with.

* ``?action=getUserInfoAll``: ``users[i].Name``, ``.Group``, ``.Id``, ``.Reserved``,
  ``.Sharable``, ``.Memo``, ``.AuthorityList[k]`` (api-reference §4.12.2); the password field,
  where a device sends one, is masked and never kept here.
* ``?action=deleteUser&name=<u>``: ``OK`` (§4.12.7).

Factory accounts: Dahua recorder manuals list the default users ``admin``, ``888888``
(administrator, "local login only") and ``666666`` (monitor rights), each with its own name as
password, plus a hidden ``default`` user that cannot be deleted (Dahua NVRPRO, HDCVI and
iDVR/iHCVR user's manuals, account chapters). Nothing on the device says whether their passwords
were changed, and trying them would be a failed login, so their presence is what is reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from .checks import require_kv
from .codec import table_rows
from .errors import InvalidParameterError, NotSupportedError

if TYPE_CHECKING:
    from .client import AmcrestClient

CGI: Final = "userManager.cgi"
#: Accounts that exist from the factory with their name as password (see the module text).
FACTORY_ACCOUNTS: Final = frozenset({"888888", "666666"})
_MAX_NAME: Final = 64
_MAX_USERS: Final = 256


@dataclass(frozen=True, slots=True)
class Account:
    """One account as the device lists it (no password)."""

    name: str
    group: str | None
    reserved: bool


def parse_accounts(text: str) -> list[Account]:
    """The accounts of a ``getUserInfoAll`` answer, in index order."""
    values = require_kv(text, "user list")
    rows = table_rows(values, "users")
    if not rows and text.strip():
        raise NotSupportedError("user list: no users in the answer")
    accounts: list[Account] = []
    for _, row in sorted(rows.items())[:_MAX_USERS]:
        name = (row.get("Name") or "").strip()
        if not name or len(name) > _MAX_NAME:
            continue
        group = (row.get("Group") or "").strip()[:_MAX_NAME] or None
        reserved = (row.get("Reserved") or "").strip().lower() == "true"
        accounts.append(Account(name, group, reserved))
    return accounts


class Users:
    """The accounts of one device."""

    def __init__(self, client: AmcrestClient) -> None:
        self._client = client

    async def list(self) -> list[Account]:
        """Every account (needs an account allowed to manage users)."""
        return parse_accounts(await self._client.cgi(CGI, "getUserInfoAll"))

    async def delete(self, name: str) -> None:
        """Delete account ``name``."""
        if not isinstance(name, str) or not name.strip() or len(name) > _MAX_NAME:
            raise InvalidParameterError("an account name is 1-64 characters")
        await self._client.cgi_ok(CGI, "deleteUser", [("name", name.strip())])


__all__ = ["FACTORY_ACCOUNTS", "Account", "Users", "parse_accounts"]
