"""Indicators found in the war room: `iocs [--type T]` and `ioc add|fp|tlp ...`."""

from __future__ import annotations

from warroom.bot.context import Context, Reply
from warroom.bot.domain.disclosure import Where, effective_tlp
from warroom.bot.domain.language import N_, Language
from warroom.bot.domain.messages import Message
from warroom.bot.domain.observables import ObservableError, ObservableType, Pap, Status
from warroom.bot.domain.tlp import Tlp
from warroom.bot.grammar import Arg, CommandError, Flag
from warroom.bot.operations import intel, intel_changes
from warroom.bot.operations.intel import IntelView, Seen
from warroom.bot.registry import command
from warroom.storage.models import Incident
from warroom.storage.store import UnitOfWork

USAGE = {
    "add": "ioc add VALUE [--type T] [--tlp LEVEL] [--pap LEVEL] [--note TEXT]",
    "fp": "ioc fp VALUE",
    "tlp": "ioc tlp VALUE LEVEL",
}


def _reason(lang: Language, problem: ObservableError) -> str:
    return lang.format(problem.reason, value=problem.value, types=problem.types)


def _kind(lang: Language, raw: str | None) -> ObservableType | None:
    if raw is None:
        return None
    try:
        return ObservableType.parse(raw)
    except ObservableError as exc:
        raise CommandError(_reason(lang, exc)) from None


@command(
    "ioc",
    N_("add an indicator, mark one a false positive or set its TLP"),
    args=(
        Arg("action", "word", N_("add, fp or tlp")),
        Arg("rest", "text", N_("the VALUE, and for tlp the LEVEL"), optional=True),
    ),
    flags=(
        Flag(
            "type",
            "word",
            N_("its type: ipv4, ipv6, domain, url, email, md5, sha1, sha256, cve"),
            "T",
        ),
        Flag("tlp", "tlp", N_("how far it may be shared (default: the incident's)"), "LEVEL"),
        Flag(
            "pap", "word", N_("what receivers may do with it: clear, green, amber, red"), "LEVEL"
        ),
        Flag("note", "word", N_("a word on where it comes from"), "TEXT"),
    ),
    details=N_(
        "ioc add VALUE [--type T] [--tlp LEVEL] [--pap LEVEL] [--note TEXT] · ioc fp VALUE · "
        "ioc tlp VALUE LEVEL. A false positive is kept and never exported; a TLP set by hand "
        "is a floor: an indicator is never shared below what it was said under."
    ),
)
async def ioc(
    ctx: Context,
    *,
    action: str,
    rest: str | None,
    type: str | None,
    tlp: Tlp | None,
    pap: str | None,
    note: str | None,
) -> Reply:
    lang = ctx.services.config.language(ctx.actor.org)
    verb = action.lower()
    if verb not in USAGE:
        raise CommandError(
            lang.format("unknown ioc action {action!r}: add, fp or tlp", action=action)
        )
    if verb != "add" and (tlp is not None or pap is not None or note is not None):
        raise CommandError(
            lang.gettext("--tlp, --pap and --note go with `ioc add`"), usage=USAGE[verb]
        )
    try:
        kind = _kind(lang, type)
        words = (rest or "").split()
        if not words:
            raise CommandError(lang.gettext("VALUE is missing: the indicator"))
        if verb == "add":
            if len(words) > 1:
                raise CommandError(lang.format("unexpected {extra!r}", extra=" ".join(words[1:])))
            return await _add(ctx, lang, words[0], kind, tlp, pap, note)
        if verb == "fp":
            if len(words) > 1:
                raise CommandError(lang.format("unexpected {extra!r}", extra=" ".join(words[1:])))
            return await _false_positive(ctx, lang, words[0], kind)
        if len(words) != 2:
            raise CommandError(lang.gettext("give the VALUE and then the LEVEL"))
        return await _set_tlp(ctx, lang, words[0], kind, _level(lang, words[1]))
    except CommandError as exc:
        exc.usage = exc.usage or USAGE[verb]
        raise


def _level(lang: Language, raw: str) -> Tlp:
    try:
        return Tlp.parse(raw)
    except ValueError:
        raise CommandError(
            lang.format(
                "unknown TLP level {raw!r}: use clear, green, amber, amber+strict or red", raw=raw
            )
        ) from None


async def _add(
    ctx: Context,
    lang: Language,
    raw: str,
    kind: ObservableType | None,
    tlp: Tlp | None,
    pap: str | None,
    note: str | None,
) -> Reply:
    try:
        found = intel.valid(raw, kind, intel.own_domains(ctx.services.config))
        level = Pap.parse(pap) if pap is not None else None
    except ObservableError as exc:
        raise CommandError(_reason(lang, exc)) from None
    now = ctx.services.clock.now()

    def work(uow: UnitOfWork, incident: Incident) -> Message:
        marked = tlp or effective_tlp(note or "", Tlp.parse(incident.tlp))
        observable = intel_changes.add(
            uow,
            ctx.services.config,
            incident,
            actor=ctx.actor,
            found=found,
            tlp=marked,
            pap=level,
            note=note or "",
            at=now,
            event_id=ctx.event_id,
        )
        body = lang.format(
            "{who} added indicator {value} ({type}, TLP:{tlp}, PAP:{pap})",
            who=ctx.actor.user.name,
            value=found.value,
            type=found.type.value,
            tlp=marked.label,
            pap=observable.pap,
        )
        return Message(body=body, tlp=marked.label)

    return Reply(await ctx.change(work), public=True)


def _one(
    ctx: Context,
    uow: UnitOfWork,
    incident: Incident,
    lang: Language,
    raw: str,
    kind: ObservableType | None,
) -> Seen:
    """The indicator `raw` as the caller's organisation may see it: one it may not see is
    not there for it."""
    view = IntelView.of(uow, ctx.services.config, incident)
    shown = [
        seen
        for found_kind, value in intel.lookup_value(raw, kind)
        for seen in view.find(value, ctx.actor.org)
        if seen.observable.type == found_kind
    ]
    if not shown:
        raise CommandError(
            lang.format("there is no indicator {value} in {key}", value=raw, key=incident.key)
        )
    if len(shown) > 1:
        raise CommandError(
            lang.format(
                "{value} is there as {types}: say which with --type",
                value=raw,
                types=", ".join(s.observable.type for s in shown),
            )
        )
    return shown[0]


async def _false_positive(
    ctx: Context, lang: Language, raw: str, kind: ObservableType | None
) -> Reply:
    now = ctx.services.clock.now()

    def work(uow: UnitOfWork, incident: Incident) -> Message:
        seen = _one(ctx, uow, incident, lang, raw, kind)
        if seen.observable.status == Status.FALSE_POSITIVE:
            raise CommandError(
                lang.format("{value} is marked a false positive already", value=seen.value)
            )
        said_at = intel_changes.false_positive(
            uow, incident, seen.observable, actor=ctx.actor, at=now
        )
        body = lang.format(
            "{who} marked {value} a false positive: kept, never exported",
            who=ctx.actor.user.name,
            value=seen.value,
        )
        return Message(body=body, tlp=said_at.label)

    return Reply(await ctx.change(work), public=True)


async def _set_tlp(
    ctx: Context, lang: Language, raw: str, kind: ObservableType | None, level: Tlp
) -> Reply:
    now = ctx.services.clock.now()

    def work(uow: UnitOfWork, incident: Incident) -> Message:
        seen = _one(ctx, uow, incident, lang, raw, kind)
        said_at = intel_changes.set_floor(
            uow, incident, seen.observable, actor=ctx.actor, level=level, at=now
        )
        after = IntelView.of(uow, ctx.services.config, incident).shown(
            seen.observable, ctx.actor.org
        )
        shared = after.tlp if after is not None else level
        if shared > level:
            body = lang.format(
                "{who} set {value} to TLP:{level}; it stays TLP:{tlp}, as it was said",
                who=ctx.actor.user.name,
                value=seen.value,
                level=level.label,
                tlp=shared.label,
            )
        else:
            body = lang.format(
                "{who} set {value} to TLP:{level}",
                who=ctx.actor.user.name,
                value=seen.value,
                level=level.label,
            )
        return Message(body=body, tlp=max(said_at, shared).label)

    return Reply(await ctx.change(work), public=True)


@command(
    "iocs",
    N_("list the indicators found in the incident"),
    flags=(Flag("type", "word", N_("only of this type"), "T"),),
)
async def list_iocs(ctx: Context, *, type: str | None) -> Reply:
    lang = ctx.services.config.language(ctx.actor.org)
    kind = _kind(lang, type)

    def work(uow: UnitOfWork, incident: Incident) -> Message:
        view = IntelView.of(uow, ctx.services.config, incident)
        shown = view.for_reader(ctx.actor.org, Where.VIEW, kind=kind)
        title = lang.format("{key} indicators", key=incident.key)
        if not shown:
            return Message(title=title, body=lang.gettext("no indicators yet"))
        lines = [_line(lang, seen) for seen in shown]
        banner = max(seen.tlp for seen in shown)
        return Message(title=title, body="\n".join(lines), tlp=banner.label)

    return Reply(await ctx.read(work))


def _line(lang: Language, seen: Seen) -> str:
    observable = seen.observable
    times = lang.ngettext("seen once", "seen {n} times", seen.times).format(n=seen.times)
    where = (
        f"#{seen.first_seq}"
        if seen.first_seq == seen.last_seq
        else f"#{seen.first_seq}–#{seen.last_seq}"
    )
    line = lang.format(
        "{type} {value} · TLP:{tlp} · PAP:{pap} · {times} ({entries})",
        type=observable.type,
        value=seen.value,
        tlp=seen.tlp.label,
        pap=observable.pap,
        times=times,
        entries=where,
    )
    if observable.status == Status.FALSE_POSITIVE:
        line += " · " + lang.gettext("false positive")
    return line
