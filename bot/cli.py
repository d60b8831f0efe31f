"""The `warroom` command line."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import json
import logging
import signal
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from warroom import __version__
from warroom.bot import cli_web
from warroom.bot.config import Config, ConfigError, load_config
from warroom.bot.domain.language import ENGLISH, Language, locale_problem, timezone_problem

if TYPE_CHECKING:
    from warroom.storage.store import Store


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        config = load_config(args.config)
        return int(args.func(args, config))
    except ConfigError as exc:
        print(f"warroom: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        reason = _store_unreachable(exc)
        if reason is None:
            raise
        print(f"warroom: config: storage.url: {reason}", file=sys.stderr)
        return 2


def _store_unreachable(exc: Exception) -> str | None:
    """Why the configured database could not be reached, in one line; None: another fault."""
    from sqlalchemy.exc import NoSuchModuleError, OperationalError

    if isinstance(exc, NoSuchModuleError):
        return f"no driver for it: {exc}"
    if not isinstance(exc, OperationalError):
        return None
    first = str(exc.orig or exc).strip().splitlines()
    return f"cannot reach the database: {first[0] if first else type(exc).__name__}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="warroom", description="cross-organisation war rooms")
    parser.add_argument("--version", action="version", version=f"warroom {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-c", "--config", help="TOML config (default: embedded SQLite + console)")
    common.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", parents=[common], help="run the configured adapters")
    run.set_defaults(func=_run)

    console = sub.add_parser("console", parents=[common], help="a war room in this terminal")
    console.add_argument("--user", help="who you are (default: your login name)")
    console.add_argument("--org", help="your organisation (default: console.org or 'local')")
    console.set_defaults(func=_console)

    db = sub.add_parser("db", help="the database schema").add_subparsers(dest="db", required=True)
    db_upgrade = db.add_parser("upgrade", parents=[common], help="create or upgrade the schema")
    db_upgrade.add_argument("revision", nargs="?", default="head")
    db_upgrade.set_defaults(func=_db_upgrade)

    export = sub.add_parser("export", parents=[common], help="print one incident")
    export.add_argument("key", help="incident key, e.g. INC-1")
    export.add_argument("--format", choices=("json", "md", "stix", "misp"), default="json")
    export.add_argument("--as-org", help="only what this organisation may see under TLP")
    export.add_argument("--locale", help="the md report's language (default: --as-org's, else en)")
    export.add_argument(
        "--timezone", help="the md report's time zone, IANA (default: --as-org's, else UTC)"
    )
    export.add_argument(
        "--stix-profile",
        choices=("oasis", "opencti"),
        default="oasis",
        help="the TLP marking ids: OASIS TLP 2.0 (default), or those OpenCTI uses",
    )
    export.set_defaults(func=_export)

    report = sub.add_parser("report", parents=[common], help="indicators across incidents")
    report.add_argument("--since", default="90d", help="incidents opened this long ago or later")
    report.add_argument("--sev", type=int, choices=(1, 2, 3, 4), help="one severity only")
    report.add_argument("--as-org", help="the incidents this organisation took part in")
    report.add_argument("--format", choices=("json", "md"), default="md")
    report.add_argument("--locale", help="the md report's language (default: --as-org's, else en)")
    report.add_argument(
        "--timezone", help="the md report's time zone, IANA (default: --as-org's, else UTC)"
    )
    report.set_defaults(func=_report)

    audit = sub.add_parser("audit", help="tamper checks").add_subparsers(
        dest="audit", required=True
    )
    verify = audit.add_parser("verify", parents=[common], help="check the timeline hash chains")
    verify.add_argument("key", nargs="?", help="one incident (default: all)")
    verify.add_argument(
        "--checkpoints",
        metavar="FILE",
        help="signed checkpoints the organisations kept: console lines, an export, "
        "Slack messages' or Matrix events' JSON",
    )
    verify.set_defaults(func=_audit_verify)
    keygen = audit.add_parser("keygen", parents=[common], help="make a checkpoint signing key")
    keygen.add_argument("--out", required=True, metavar="FILE", help="the new PEM file")
    keygen.set_defaults(func=_audit_keygen)
    pubkey = audit.add_parser("pubkey", parents=[common], help="print the public key")
    pubkey.set_defaults(func=_audit_pubkey)
    offline = audit.add_parser(
        "verify-export", parents=[common], help="check an `export --as-org` file offline"
    )
    offline.add_argument("file", help="the JSON export")
    offline.add_argument("--pubkey", required=True, help="the key `audit pubkey` printed")
    offline.set_defaults(func=_audit_verify_export)

    books = sub.add_parser("playbooks", help="playbook files").add_subparsers(
        dest="playbooks", required=True
    )
    check = books.add_parser("check", parents=[common], help="check playbook files")
    check.add_argument(
        "dir", nargs="?", help="a folder or file (default: shipped + [playbooks] dir)"
    )
    check.set_defaults(func=_playbooks_check)

    drills = sub.add_parser("exercises", help="exercise scenario files").add_subparsers(
        dest="exercises", required=True
    )
    check = drills.add_parser("check", parents=[common], help="check scenario files")
    check.add_argument(
        "dir", nargs="?", help="a folder or file (default: shipped + [exercises] dir)"
    )
    check.set_defaults(func=_exercises_check)
    cli_web.add_parser(sub, common)
    return parser


def _console(args: argparse.Namespace, config: Config) -> int:
    from warroom.adapters.console import ConsoleAdapter
    from warroom.bot.app import build_app

    user = args.user or config.console.user or _login_name()
    org = (args.org or config.console.org).lower()
    adapter = ConsoleAdapter(user=user, org=org)

    async def session() -> None:
        app = build_app(config, adapters={"console": adapter})
        await app.start()
        if adapter.interactive:
            print(
                f"warroom {__version__} console: you are {user} of {org}. "
                "`/incident help` for commands, `:help` for the console."
            )
        try:
            await adapter.repl()
            await app.services.outbox.drain()
        finally:
            await app.stop()

    asyncio.run(session())
    return 0


def _run(args: argparse.Namespace, config: Config) -> int:
    from warroom.bot.app import build_app, console_sink, platform_adapters, single_process_notice
    from warroom.bot.runtime.heap import freeze_start_up

    adapters = platform_adapters(config)
    adapters.update(console_sink(config))
    if not adapters:
        raise ConfigError("orgs", "no Slack or Matrix org to serve; try `warroom console`")
    single_process_notice(config)

    async def serve() -> int:
        app = build_app(config, adapters=adapters, serve_http=True)
        stopped = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stopped.set)
        try:
            await app.start()
            freeze_start_up()
            done = {asyncio.create_task(stopped.wait()), asyncio.create_task(app.deposed.wait())}
            _, pending = await asyncio.wait(done, return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
        finally:
            await app.stop()
        return 3 if app.deposed.is_set() else 0

    return asyncio.run(serve())


def _db_upgrade(args: argparse.Namespace, config: Config) -> int:
    from warroom.storage.migrate import current_revision, upgrade

    upgrade(config.storage.url, args.revision)
    print(f"schema at revision {current_revision(config.storage.url)}")
    return 0


def _report_language(args: argparse.Namespace, config: Config) -> Language | str:
    """The md report's language: `--as-org`'s, `--locale`/`--timezone` over it; or why not."""
    if args.locale is not None and (problem := locale_problem(args.locale)):
        return f"--locale: {problem}"
    if args.timezone is not None and (problem := timezone_problem(args.timezone)):
        return f"--timezone: {problem}"
    base = config.language(args.as_org.lower()) if args.as_org else ENGLISH
    return Language(args.locale or base.locale, args.timezone or base.timezone)


def _export(args: argparse.Namespace, config: Config) -> int:
    from warroom.bot.operations.export import ExportError, incident_export, markdown_report
    from warroom.storage.read_only import SchemaNotCurrent, read_only_store, recording_store

    lang = _report_language(args, config)
    if isinstance(lang, str):
        print(f"warroom: {lang}", file=sys.stderr)
        return 2
    if args.format == "json":
        lang = ENGLISH  # JSON keeps the stored texts: its shape and values are public
    records = args.format in ("stix", "misp")  # an intel export goes on the timeline
    try:
        store = (recording_store if records else read_only_store)(config.storage.url)
    except SchemaNotCurrent as exc:
        print(f"warroom: {exc}", file=sys.stderr)
        return 1
    if records:
        return _export_intel(args, config, store)
    try:
        data = store.transaction_sync(
            lambda uow: incident_export(
                uow,
                args.key.upper(),
                config=config,
                as_org=args.as_org and args.as_org.lower(),
                lang=lang,
            )
        )
    except ExportError as exc:
        print(f"warroom: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    if args.format == "json":
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print(markdown_report(data, lang), end="")
    return 0


def _report(args: argparse.Namespace, config: Config) -> int:
    from warroom.bot.config import parse_duration
    from warroom.bot.operations.stats import indicators
    from warroom.bot.operations.stats_report import report_json, report_markdown
    from warroom.storage.read_only import SchemaNotCurrent, read_only_store

    lang = _report_language(args, config)
    if isinstance(lang, str):
        print(f"warroom: {lang}", file=sys.stderr)
        return 2
    try:
        since = parse_duration(args.since)
    except ValueError as exc:
        print(f"warroom: --since: {exc}", file=sys.stderr)
        return 2
    org = args.as_org.lower() if args.as_org else None
    if org is not None and config.orgs and config.org(org) is None:
        print(f"warroom: --as-org: unknown org {org!r}", file=sys.stderr)
        return 2
    try:
        store = read_only_store(config.storage.url)
    except SchemaNotCurrent as exc:
        print(f"warroom: {exc}", file=sys.stderr)
        return 1
    try:
        found = store.transaction_sync(
            lambda uow: indicators(
                uow, config, now=datetime.now(UTC), since=since, as_org=org, severity=args.sev
            )
        )
    finally:
        store.close()
    if args.format == "json":
        print(json.dumps(report_json(found), indent=2, ensure_ascii=False))
    else:
        print(report_markdown(found, lang), end="")
    return 0


def _export_intel(args: argparse.Namespace, config: Config, store: Store) -> int:
    """A STIX bundle or MISP event, recorded on the timeline with its SHA-256."""
    from warroom.bot.operations.export import ExportError
    from warroom.bot.operations.intel_export import export_intel

    try:
        text = store.transaction_sync(
            lambda uow: export_intel(
                uow,
                config,
                args.key.upper(),
                form=args.format,
                as_org=args.as_org and args.as_org.lower(),
                at=datetime.now(UTC),
                profile=args.stix_profile,
            )
        )
    except ExportError as exc:
        print(f"warroom: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    print(text)
    return 0


def _audit_verify(args: argparse.Namespace, config: Config) -> int:
    from pathlib import Path

    from warroom.bot.domain.checkpoint import documents_in
    from warroom.bot.operations.audit import Witnesses, verify
    from warroom.bot.runtime import signing_key
    from warroom.storage.read_only import SchemaNotCurrent, read_only_store

    witnesses = None
    if args.checkpoints:
        try:
            text = Path(args.checkpoints).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"warroom: {args.checkpoints} cannot be read: {exc}", file=sys.stderr)
            return 1
        found = list(documents_in(text))
        if not found:
            print(f"warroom: no signed checkpoint in {args.checkpoints}", file=sys.stderr)
            return 1
        key = signing_key.configured(config.audit, config.storage).public_key()
        witnesses = Witnesses(found, key)
    try:
        store = read_only_store(config.storage.url)
    except SchemaNotCurrent as exc:
        print(f"warroom: {exc}", file=sys.stderr)
        return 1
    try:
        checked, problems = store.transaction_sync(
            lambda uow: verify(uow, args.key.upper() if args.key else None, witnesses=witnesses)
        )
    except LookupError as exc:
        print(f"warroom: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    for problem in problems:
        print(f"TAMPERED {problem}")
    if problems:
        print(f"{len(problems)} problem(s) in {checked} timeline entries", file=sys.stderr)
        return 1
    against = f", against {len(witnesses.checkpoints)} checkpoint(s)" if witnesses else ""
    print(f"ok: {checked} timeline entries verified{against}")
    return 0


def _audit_keygen(args: argparse.Namespace, config: Config) -> int:
    from pathlib import Path

    from warroom.bot.runtime import signing_key

    try:
        key = signing_key.generate(Path(args.out))
    except signing_key.SigningKeyError as exc:
        print(f"warroom: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {args.out}: {signing_key.public_text(key.public_key())}")
    return 0


def _audit_pubkey(args: argparse.Namespace, config: Config) -> int:
    from warroom.bot.runtime import signing_key

    key = signing_key.configured(config.audit, config.storage)
    print(signing_key.public_text(key.public_key()))
    return 0


def _audit_verify_export(args: argparse.Namespace, config: Config) -> int:
    import json
    from pathlib import Path

    from warroom.bot.operations.audit_export import NotAnExport, verify_export
    from warroom.bot.runtime import signing_key

    try:
        key = signing_key.public_from_text(args.pubkey)
        data = json.loads(Path(args.file).read_text(encoding="utf-8"))
        linked, recomputed, problems = verify_export(data, key)
    except (signing_key.SigningKeyError, NotAnExport) as exc:
        print(f"warroom: {exc}", file=sys.stderr)
        return 1
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        print(f"warroom: {args.file} cannot be read as JSON: {exc}", file=sys.stderr)
        return 1
    for problem in problems:
        print(f"TAMPERED {problem}")
    if problems:
        print(f"{len(problems)} problem(s) in {linked} exported entries", file=sys.stderr)
        return 1
    count = len(data.get("checkpoints") or [])
    print(f"ok: {linked} entries linked ({recomputed} recomputed), {count} checkpoint(s) verified")
    return 0


def _playbooks_check(args: argparse.Namespace, config: Config) -> int:
    from pathlib import Path

    from warroom.bot.operations.playbooks import folders, problems

    paths = [Path(args.dir)] if args.dir else list(folders(config))
    missing = [p for p in paths if not p.exists()]
    if missing:
        print(f"warroom: {missing[0]}: no such file or folder", file=sys.stderr)
        return 1
    known = [o.id for o in config.orgs] or None
    found = problems(paths, known_orgs=known)
    for line in found:
        print(line, file=sys.stderr)
    if found:
        return 1
    print("ok: " + ", ".join(str(p) for p in paths))
    return 0


def _exercises_check(args: argparse.Namespace, config: Config) -> int:
    from pathlib import Path

    from warroom.bot.operations import playbooks
    from warroom.bot.operations.scenarios import folders, problems

    paths = [Path(args.dir)] if args.dir else list(folders(config))
    missing = [p for p in paths if not p.exists()]
    if missing:
        print(f"warroom: {missing[0]}: no such file or folder", file=sys.stderr)
        return 1
    try:
        known: list[str] | None = list(playbooks.load(config))
    except playbooks.PlaybookError:
        known = None  # `warroom playbooks check` names those errors
    found = problems(paths, playbooks=known)
    for line in found:
        print(line, file=sys.stderr)
    if found:
        return 1
    print("ok: " + ", ".join(str(p) for p in paths))
    return 0


def _login_name() -> str:
    with contextlib.suppress(Exception):
        return getpass.getuser()
    return "responder"
