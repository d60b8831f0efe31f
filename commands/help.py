"""Help, generated from the command declarations."""

from __future__ import annotations

from warroom.bot.context import Context, Reply
from warroom.bot.domain.messages import Field, Message
from warroom.bot.grammar import Arg, CommandError, Permission
from warroom.bot.registry import command


@command(
    "help",
    "show the commands, or one command in detail",
    args=(Arg("verb", "word", "a command", optional=True),),
    permission=Permission.ANYONE,
    needs_incident=False,
)
async def help_(ctx: Context, *, verb: str | None) -> Reply:
    if verb is None:
        fields = tuple(Field(c.usage(), c.summary) for c in ctx.registry.values())
        return Reply(
            Message(
                title="warroom commands",
                fields=fields,
                footer="`help VERB` for one command in detail",
            )
        )
    found = ctx.registry.get(verb.lower())
    if found is None:
        raise CommandError(f"no command {verb!r}; try `help`")
    lines = [found.summary + ".", *([found.details] if found.details else [])]
    lines += [
        f"  {a.name.upper() if a.kind != 'user' else '@user'}: {a.help}"
        for a in found.args
        if a.help
    ]
    lines += [f"  --{f.name}: {f.help}" for f in found.all_flags]
    lines.append(f"Who may run it: {found.permission.value}.")
    return Reply(Message(title=found.usage(), body="\n".join(lines)))
