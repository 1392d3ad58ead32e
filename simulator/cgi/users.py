"""Accounts: ``userManager.cgi?action=getUserInfoAll`` and ``deleteUser`` (api-reference §4.12).

The signed-in account is listed as the reserved administrator (``Reserved=true``, ``Id=1``,
as §4.12.1's ``admin`` sample). With the ``factory_accounts`` quirk, the factory accounts of
older Dahua recorder firmware are listed too (see :data:`simulator.quirks.FACTORY_ACCOUNTS`).
Deleting a reserved account, the signed-in one or one that does not exist is refused.
"""

from __future__ import annotations

from aiohttp import web

from simulator.cgi.registry import CgiContext, route


def build_accounts(username: str, *, factory: bool) -> list[dict[str, str]]:
    accounts = [_account(1, username, "admin", reserved=True)]
    if factory:
        accounts += [
            _account(number, name, group, reserved=False)
            for number, (name, group) in enumerate((("888888", "admin"), ("666666", "user")), 2)
            if name != username
        ]
    return accounts


def _account(number: int, name: str, group: str, *, reserved: bool) -> dict[str, str]:
    return {
        "Id": str(number),
        "Name": name,
        "Group": group,
        "Memo": f"{name} 's account",
        "Reserved": "true" if reserved else "false",
        "Sharable": "true",
        "AuthorityList[0]": "AuthUserMag" if group == "admin" else "Monitor_01",
    }


@route("userManager.cgi", "getUserInfoAll")
async def user_info_all(ctx: CgiContext) -> web.StreamResponse:
    pairs: list[tuple[str, object]] = []
    for index, account in enumerate(ctx.state.accounts):
        pairs += [(f"users[{index}].{key}", value) for key, value in account.items()]
    return ctx.kv(pairs)


@route("userManager.cgi", "deleteUser")
async def delete_user(ctx: CgiContext) -> web.StreamResponse:
    name = ctx.params.get("name") or ""
    accounts = ctx.state.accounts
    target = next((a for a in accounts if a["Name"] == name), None)
    if target is None or target["Reserved"] == "true":
        return ctx.invalid_param()
    accounts.remove(target)
    return ctx.ok()
