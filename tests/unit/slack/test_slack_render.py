from __future__ import annotations

from warroom.adapters.slack.render import SECTION_LIMIT, escape, render
from warroom.bot.domain.events import UserRef
from warroom.bot.domain.language import Language
from warroom.bot.domain.messages import Field, Message


def texts(blocks: list[dict]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        if "text" in block:
            out.append(block["text"]["text"])
        out += [f["text"] for f in block.get("fields", [])]
        out += [e["text"] for e in block.get("elements", [])]
    return out


def test_escape_defuses_every_kind_of_markup() -> None:
    assert escape("<!channel> <@U1> <#C1> <https://x|y> a&b") == (
        "&lt;!channel&gt; &lt;@U1&gt; &lt;#C1&gt; &lt;https://x|y&gt; a&amp;b"
    )


def test_a_card_has_tlp_banner_header_fields_and_footer() -> None:
    text, blocks = render(
        Message(
            title="INC-1: leak",
            body="**bold** <!here>",
            fields=(Field("Severity", "SEV1"),),
            tlp="AMBER",
            footer="usage: `note TEXT`",
        )
    )
    assert [b["type"] for b in blocks] == ["context", "header", "section", "section", "context"]
    assert blocks[0]["elements"][0]["text"] == "🟠 *TLP:AMBER*"
    assert blocks[2]["text"]["text"] == "*bold* &lt;!here&gt;"
    assert blocks[3]["fields"][0]["text"] == "*Severity*\nSEV1"
    assert "<!here>" not in text and "&lt;!here&gt;" in text


def test_long_bodies_and_many_fields_fit_slack_limits() -> None:
    body = "\n".join(f"#{i} 12:00:00 [note] alice: " + "x" * 80 for i in range(400))
    fields = tuple(Field(f"f{i}", "v") for i in range(23))
    _, blocks = render(Message(title="t" * 400, body=body, fields=fields))
    assert len(blocks) <= 50
    assert len(blocks[0]["text"]["text"]) <= 150
    sections = [b for b in blocks if b["type"] == "section" and "text" in b]
    assert all(len(b["text"]["text"]) <= SECTION_LIMIT for b in sections)
    assert all(len(b.get("fields", [])) <= 10 for b in blocks)


def test_only_real_slack_user_ids_become_mentions() -> None:
    alice = UserRef("slack", "T1", "U0ALICE", "alice")
    forged = UserRef("slack", "T1", "!channel", "x")
    matrix = UserRef("matrix", "hs", "@bob:hs", "bob")
    text, blocks = render(Message(body="hi", mentions=(alice, forged, matrix)))
    joined = " ".join(texts(blocks)) + text
    assert "<@U0ALICE>" in joined
    assert "<!channel>" not in joined and "<@!channel>" not in joined
    assert joined.count("<") == 2  # <@U0ALICE>, in the blocks and in the fallback
    assert "bob" in joined


def test_clipping_never_leaves_half_an_entity() -> None:
    text, blocks = render(Message(fields=(Field("x", "<" * 3000),)))
    field = blocks[0]["fields"][0]["text"]
    assert len(field) <= 2000 and field.endswith("&lt;…")
    assert len(text) <= 3900 and text.endswith("&lt;…")


def test_what_the_renderer_adds_itself_is_in_the_rooms_language() -> None:
    many = Message(body="\n\n".join(f"paragraph {n} " + "x" * 2900 for n in range(60)))
    _text, blocks = render(many, Language("de", "Europe/Berlin"))
    assert "gekürzt: zu lang für eine Nachricht" in str(blocks[-1])
    _text, blocks = render(many)
    assert "cut short: too long for one message" in str(blocks[-1])
