"""Answers as Discord messages: untrusted text made inert, embeds, and Discord's limits.

Text taken from articles is untrusted: every message is sent with
`AllowedMentions.none()` and every piece of API text goes through `escape` (or
`inert` where Discord shows plain text), so a quote can neither ping anyone nor
break formatting. Messages stay within Discord's limits (2,000 characters of
content, 6,000 across a message's embeds). Pure functions: nothing here talks
to Discord or the API.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import discord

from .answers import SPEAKER_UNCERTAIN, Answer, AnswerKind, clean_text
from .errors import ApiUnavailable
from .models import Quote, Speaker, SpeakerHit

__all__ = [
    "API_DOWN_TEXT",
    "API_ERROR_TEXT",
    "COOLDOWN_TEXT",
    "NO_MENTIONS",
    "DiscordReply",
    "clip",
    "cooldown_text",
    "error_text",
    "escape",
    "inert",
    "profile_embed",
    "quote_embed",
    "render_answer",
]

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
CONTENT_LIMIT = 2000
EMBEDS_TOTAL_LIMIT = 6000
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_AUTHOR_LIMIT = 256
EMBED_FOOTER_LIMIT = 2048
FIELD_VALUE_LIMIT = 1024
BUTTON_LABEL_LIMIT = 80
OUTLET_LIMIT = 100
CHOICE_NAME_LIMIT = 100
# Room kept under the 6,000 total for safety (rounding, a future field).
_EMBED_BUDGET = 5800
# A long quote is cut here even when the budget would allow more: the link has the rest.
_QUOTE_DESCRIPTION_MAX = 1500

NO_MENTIONS = discord.AllowedMentions.none()

API_DOWN_TEXT = (
    "Sorry, I can't reach the quotes service right now. Please try again in a minute."
)
API_ERROR_TEXT = "Sorry, something went wrong while looking that up. Please try again later."
COOLDOWN_TEXT = "You're asking a little fast. Please try again in {seconds} s."

_COLOUR = discord.Colour(0x3B6EA5)
_MENTION_LIKE = re.compile(r"@(?=[!&]?\d)")
# <@…>, <#…>, <t:…>, </cmd:…>, <:emoji:…>, <a:emoji:…>: Discord's angle-bracket tokens.
_ANGLE_TOKEN = re.compile(r"<(?=[@#/:]|a:|t:)")
_ORDERED_LIST = re.compile(r"^(\s*\d+)\.(?=\s)", re.M)
# A "[" escape_markdown left bare: its link pattern stops at a line break, Discord's does not.
_BARE_BRACKET = re.compile(r"(?<!\\)((?:\\\\)*)\[")
UNNAMED_SPEAKER = "Unnamed speaker"


# -- text safety ------------------------------------------------------------------


def escape(text: str) -> str:
    """Untrusted text made inert for Discord: no markdown, no mentions, no control characters."""
    text = clean_text(text)
    text = discord.utils.escape_markdown(text)
    text = _ORDERED_LIST.sub(r"\1\\.", text)
    text = _BARE_BRACKET.sub(r"\1\\[", text)  # no masked link, even one split across lines
    text = discord.utils.escape_mentions(text)
    text = _MENTION_LIKE.sub("@\u200b", text)
    return _ANGLE_TOKEN.sub("<\u200b", text)


def inert(text: str) -> str:
    """Untrusted text for places Discord shows as plain text (author, footer, labels): no pings."""
    text = discord.utils.escape_mentions(clean_text(text))
    text = _MENTION_LIKE.sub("@\u200b", text)
    return _ANGLE_TOKEN.sub("<\u200b", text)


def author_name(text: str) -> str:
    """A speaker's name for an embed's author line: Discord rejects one that shows nothing."""
    name = inert(text)
    visible = any(not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Cc", "Mn", "Me", "Zs", "Co", "Cn")
                  for ch in name)
    return name if visible else UNNAMED_SPEAKER


def clip(text: str, limit: int) -> str:
    """Text cut to `limit` characters with an ellipsis, never ending in half an escape."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - 1)]
    trailing = len(cut) - len(cut.rstrip("\\"))
    if trailing % 2:  # a lone backslash would escape the ellipsis
        cut = cut[:-1]
    return cut + "…"


def _http_url(url: str | None) -> str | None:
    """The URL if Discord will accept it as an embed link (http/https, sane length)."""
    if url and re.match(r"^https?://[^\s<>]+$", url) and len(url) <= 2000:
        return url
    return None


# -- answers as Discord messages ---------------------------------------------------------


@dataclass
class DiscordReply:
    """What one message will carry: content and embeds, within Discord's limits."""

    content: str
    embeds: list[discord.Embed] = field(default_factory=list)

    def kwargs(self) -> dict[str, Any]:
        return {"content": self.content, "embeds": self.embeds, "allowed_mentions": NO_MENTIONS}


def _quote_line(quote: Quote) -> str:
    text = escape(quote.text.strip())
    return f"{text} *(reported speech)*" if quote.kind == "indirect" else f"“{text}”"


def quote_embed(quote: Quote, number: int, total: int, description_limit: int) -> discord.Embed:
    """One quote: speaker and role on top, the words, then the article it comes from."""
    article = quote.article
    embed = discord.Embed(
        title=clip(escape(article.title or "Untitled article"), EMBED_TITLE_LIMIT),
        url=_http_url(article.url),
        description=_clip_quote(_quote_line(quote), description_limit),
        colour=_COLOUR,
    )
    if quote.speaker_uncertain:
        embed.set_author(name=SPEAKER_UNCERTAIN)
    elif quote.speaker is not None:
        embed.set_author(name=clip(author_name(quote.speaker.name), EMBED_AUTHOR_LIMIT))
    footer = [
        clip(inert(article.outlet), OUTLET_LIMIT) if article.outlet else "",
        article.published.isoformat() if article.published else "",
    ]
    footer.append(f"{number} of {total}")
    embed.set_footer(text=clip(" · ".join(p for p in footer if p), EMBED_FOOTER_LIMIT))
    return embed


def _clip_quote(line: str, limit: int) -> str:
    if len(line) <= limit:
        return line
    # keep the closing mark visible so a cut quote still reads as a quote
    closing = "”" if line.endswith("”") else ""
    return clip(line[: len(line) - len(closing)], limit - len(closing)) + closing


def _with_role(answer: Answer, quote: Quote, embed: discord.Embed) -> discord.Embed:
    """Speaker label with role on quote embeds when the whole answer is one speaker's (and this
    quote's speaker is not in doubt)."""
    speaker = answer.query.speaker if answer.query else None
    if speaker is not None and not quote.speaker_uncertain:
        embed.set_author(name=clip(author_name(speaker.label), EMBED_AUTHOR_LIMIT))
    return embed


def _attr_values(values: list[Any]) -> str:
    return "; ".join(clean_text(v.value) for v in values)


def profile_embed(profile: Speaker) -> discord.Embed:
    """Who a speaker is: names, titles, roles, organisations, how often and when quoted."""
    others = [a for a in profile.aliases if a != profile.name]
    embed = discord.Embed(
        title=clip(escape(profile.name), EMBED_TITLE_LIMIT),
        description=clip(escape("Also called: " + "; ".join(others)), 1000) if others else None,
        colour=_COLOUR,
    )
    for label, values in (
        ("Titles", profile.titles),
        ("Roles", profile.roles),
        ("Organisations", profile.organisations),
    ):
        if values:
            embed.add_field(name=label, value=clip(escape(_attr_values(values)), FIELD_VALUE_LIMIT), inline=False)
    quoted = f"{profile.quote_count} time{'s' if profile.quote_count != 1 else ''} in {profile.article_count} article{'s' if profile.article_count != 1 else ''}"
    embed.add_field(name="Quoted", value=quoted, inline=True)
    if profile.first_seen:
        embed.add_field(name="First seen", value=profile.first_seen.isoformat(), inline=True)
    if profile.last_seen:
        embed.add_field(name="Last seen", value=profile.last_seen.isoformat(), inline=True)
    if profile.kind != "person":
        embed.set_footer(text=f"{inert(profile.kind)} source")
    return embed


def _choice_lines(choices: tuple[SpeakerHit, ...]) -> list[str]:
    lines = []
    for i, hit in enumerate(choices, 1):
        role = f" — {escape(hit.roles[0])}" if hit.roles else ""
        count = f"{hit.quote_count} quote{'s' if hit.quote_count != 1 else ''}"
        lines.append(f"{i}. **{escape(hit.name)}**{role} ({count})")
    return lines


def render_answer(answer: Answer) -> DiscordReply:
    """The answer as one Discord message: a short content line and an embed per quote."""
    lines = [f"**{escape(answer.headline)}**" if answer.kind is not AnswerKind.HELP else escape(answer.headline)]
    embeds: list[discord.Embed] = []
    if answer.kind is AnswerKind.HELP:
        lines.append("```\n" + "\n".join(n.strip() for n in answer.notes).replace("`", "'") + "\n```")
        lines.append("Or use `/said`, `/speaker` and `/quotes`.")
    if answer.kind in (AnswerKind.AMBIGUOUS, AnswerKind.UNKNOWN_SPEAKER):
        lines += _choice_lines(answer.choices)
        if answer.choices:
            lines.append("Pick one below, or ask again with the full name.")
    if answer.kind is AnswerKind.SPEAKER and answer.profile is not None:
        embeds.append(profile_embed(answer.profile))
    if answer.quotes:
        overhead = sum(len(e) for e in embeds) + len(answer.quotes) * (
            EMBED_TITLE_LIMIT + EMBED_AUTHOR_LIMIT + 120
        )
        per_quote = max(200, min(_QUOTE_DESCRIPTION_MAX, (_EMBED_BUDGET - overhead) // len(answer.quotes)))
        for i, quote in enumerate(answer.quotes, answer.offset + 1):
            embeds.append(_with_role(answer, quote, quote_embed(quote, i, answer.total, per_quote)))
    if answer.kind is AnswerKind.QUOTES and answer.query is not None and answer.total > len(answer.quotes):
        lines.append(
            f"Page {answer.page_number} of {answer.page_count} · {answer.remaining} more after this page"
        )
    lines += [escape(n) for n in answer.notes] if answer.kind is not AnswerKind.HELP else []
    content = clip("\n".join(lines), CONTENT_LIMIT)
    return DiscordReply(content, _fit_embeds(embeds))


def _fit_embeds(embeds: list[discord.Embed]) -> list[discord.Embed]:
    """Embeds trimmed (descriptions first, then whole embeds) to Discord's per-message total."""
    embeds = embeds[:10]
    while sum(len(e) for e in embeds) > EMBEDS_TOTAL_LIMIT:
        excess = sum(len(e) for e in embeds) - EMBEDS_TOTAL_LIMIT
        longest = max(embeds, key=lambda e: len(e.description or ""))
        description = longest.description or ""
        if len(description) > 200:
            longest.description = clip(description, max(100, len(description) - excess - 10))
        else:
            embeds.pop()
    return embeds


def error_text(exc: BaseException) -> str:
    """What to tell the asker when the API failed."""
    return API_DOWN_TEXT if isinstance(exc, ApiUnavailable) else API_ERROR_TEXT


def cooldown_text(retry_after: float) -> str:
    """What to tell an asker who asks faster than the cooldown allows."""
    return COOLDOWN_TEXT.format(seconds=max(1, round(retry_after)))
