"""Platform-neutral rich text that each adapter renders its own way."""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass
from typing import Any

from warroom.bot.domain.events import UserRef


@dataclass(frozen=True)
class Field:
    label: str
    value: str


@dataclass(frozen=True)
class ChecklistItem:
    """One task of a checklist, for platforms that show checkboxes (its line is in the body
    too, for those that do not)."""

    number: int
    text: str
    done: bool = False
    detail: str = ""  # owner, due time, who ticked it: the rest of its line


@dataclass(frozen=True)
class Attachment:
    """Machine-readable data a message carries beside its text, for tools that read the
    room back: `kind` names it (`checkpoint`), `data` is its JSON. Slack puts it in the
    message's metadata, Matrix in the event content, the console in a trailing token."""

    kind: str
    data: str

    def token(self) -> str:
        """The attachment as one compact word for plain text: `warroom-KIND:BASE64URL`."""
        encoded = base64.urlsafe_b64encode(self.data.encode("utf-8")).decode("ascii")
        return f"warroom-{self.kind}:{encoded}"


@dataclass(frozen=True)
class Message:
    """What the bot says: a title, a markdown body, label/value fields and a TLP banner.

    `mentions` are the people the message should notify; the body refers to them by name.
    """

    body: str = ""
    title: str = ""
    fields: tuple[Field, ...] = ()
    tlp: str | None = None
    mentions: tuple[UserRef, ...] = ()
    footer: str = ""
    reply_to: str = ""  # a message id in the room this is posted to: thread or reply there
    checklist: tuple[ChecklistItem, ...] = ()
    attachment: Attachment | None = None

    def to_dict(self) -> dict[str, Any]:
        """What `dataclasses.asdict` gives, built directly: a checklist of thousands of items
        is fingerprinted on every refresh, and asdict's recursion and copies were most of it."""
        return {
            "body": self.body,
            "title": self.title,
            "fields": tuple({"label": f.label, "value": f.value} for f in self.fields),
            "tlp": self.tlp,
            "mentions": tuple(asdict(m) for m in self.mentions),
            "footer": self.footer,
            "reply_to": self.reply_to,
            "checklist": tuple(
                {"number": c.number, "text": c.text, "done": c.done, "detail": c.detail}
                for c in self.checklist
            ),
            "attachment": None
            if self.attachment is None
            else {"kind": self.attachment.kind, "data": self.attachment.data},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        return cls(
            body=data.get("body", ""),
            title=data.get("title", ""),
            fields=tuple(Field(**f) for f in data.get("fields", ())),
            tlp=data.get("tlp"),
            mentions=tuple(UserRef(**m) for m in data.get("mentions", ())),
            footer=data.get("footer", ""),
            reply_to=data.get("reply_to", ""),
            checklist=tuple(ChecklistItem(**c) for c in data.get("checklist", ())),
            attachment=Attachment(**data["attachment"]) if data.get("attachment") else None,
        )

    def plain_text(self) -> str:
        """The message as plain text: what the console prints and notification fallbacks use."""
        lines: list[str] = []
        if self.tlp:
            lines.append(f"[TLP:{self.tlp}]")
        if self.title:
            lines.append(self.title)
        if self.body:
            lines.append(self.body)
        width = max((len(f.label) for f in self.fields), default=0)
        lines.extend(f"  {f.label.ljust(width)}  {f.value}" for f in self.fields)
        if self.footer:
            lines.append(self.footer)
        return "\n".join(lines)
