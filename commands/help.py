"""Help, generated from the command declarations, in the caller's language."""

from __future__ import annotations

from warroom.bot.context import Context, Reply
from warroom.bot.domain.language import N_, Language, phrase
from warroom.bot.domain.messages import Field, Message
from warroom.bot.grammar import Arg, Command, CommandError, Permission
from warroom.bot.registry import command


@command(
    "help",
    N_("show the commands, or one command in detail"),
    args=(Arg("verb", "word", N_("a command"), optional=True),),
    permission=Permission.ANYONE,
    needs_incident=False,
)
async def help_(ctx: Context, *, verb: str | None) -> Reply:
    lang = ctx.lang
    if verb is None:
        fields = tuple(Field(c.usage(), said(lang, c.summary)) for c in ctx.registry.values())
        return Reply(
            Message(
                title=lang.gettext("warroom commands"),
                fields=fields,
                footer=lang.gettext("`help VERB` for one command in detail"),
            )
        )
    found = ctx.registry.get(verb.lower())
    if found is None:
        raise CommandError(phrase("no command {verb!r}; try `help`", verb=verb))
    return Reply(Message(title=found.usage(), body="\n".join(details(lang, found))))


def details(lang: Language, found: Command) -> list[str]:
    """One command's help: what it does, its arguments and flags, and who may run it."""
    lines = [said(lang, found.summary) + "."]
    lines += [said(lang, found.details)] if found.details else []
    lines += [f"  {_shown(a)}: {said(lang, a.help)}" for a in found.args if a.help]
    lines += [f"  --{f.name}: {said(lang, f.help)}" for f in found.all_flags]
    lines.append(lang.format("Who may run it: {who}.", who=found.permission.said(lang)))
    return lines


def said(lang: Language, declared: str) -> str:
    """A declared text (summary, help) in `lang`; an empty one stays empty."""
    return lang.gettext(declared) if declared else ""


def _shown(arg: Arg) -> str:
    return "@user" if arg.kind == "user" else arg.name.upper()
