"""`warroom web`: the dashboard alone (`run` serves it too), and its operators' commands:
`web link --user U --org ORG` prints a sign-in link, `web logout-all [--org ORG]`."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from datetime import UTC, datetime

from warroom.bot.config import Config
from warroom.bot.domain.events import UserRef


def add_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    web = sub.add_parser("web", parents=[common], help="the web dashboard alone")
    web.set_defaults(func=serve)
    actions = web.add_subparsers(dest="web")
    link = actions.add_parser("link", parents=[common], help="print a one-time sign-in link")
    link.add_argument("--user", required=True, help="the person's user id on its platform")
    link.add_argument("--org", required=True, help="their organisation")
    link.set_defaults(func=print_link)
    logout = actions.add_parser("logout-all", parents=[common], help="end dashboard sessions")
    logout.add_argument("--org", help="only this organisation's (default: everyone's)")
    logout.set_defaults(func=logout_all)


def serve(args: argparse.Namespace, config: Config) -> int:
    from warroom.bot.app import build_dashboard
    from warroom.bot.runtime.heap import freeze_start_up

    async def serving() -> None:
        server = build_dashboard(config)
        stopped = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stopped.set)
        await server.start()
        freeze_start_up()
        print(f"warroom dashboard on {config.web.link_base(config.http.listen)}", flush=True)
        try:
            await stopped.wait()
        finally:
            await server.stop()

    asyncio.run(serving())
    return 0


def print_link(args: argparse.Namespace, config: Config) -> int:
    from warroom.bot.operations.web_login import issue_link
    from warroom.storage.migrate import upgrade
    from warroom.storage.store import Store

    org_id = args.org.lower()
    org = config.org(org_id)
    if config.orgs and org is None:
        print(f"warroom: --org: unknown org {org_id!r}", file=sys.stderr)
        return 2
    platform = org.platform if org else "console"
    workspace = org.user_workspace if org else ""
    user = UserRef(platform, workspace, args.user, args.user)
    if config.storage.auto_upgrade:
        upgrade(config.storage.url)
    store = Store(config.storage.url)
    base = config.web.link_base(config.http.listen)
    now = datetime.now(UTC)
    try:
        link = store.transaction_sync(
            lambda uow: issue_link(uow, user, org_id, now=now, base_url=base)
        )
    finally:
        store.close()
    print(link.url)
    return 0


def logout_all(args: argparse.Namespace, config: Config) -> int:
    from warroom.bot.operations.web_login import end_sessions
    from warroom.storage.store import Store

    org = args.org.lower() if args.org else None
    store = Store(config.storage.url)
    now = datetime.now(UTC)
    try:
        ended = store.transaction_sync(lambda uow: end_sessions(uow, now=now, org=org))
    finally:
        store.close()
    print(f"ended {ended} dashboard session{'s' if ended != 1 else ''}")
    return 0
