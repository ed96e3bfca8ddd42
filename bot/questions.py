"""Plain-English questions to intents: what the asker wants, before any API call.

    >>> parse_question("what did Gen. McKenzie say about troops since 2024")
    Said(speaker='Gen. McKenzie', topic='troops', since=datetime.date(2024, 1, 1), ...)

Four intents: `Said` (a speaker's quotes, maybe about a topic, within dates),
`WhoIs` (a speaker's profile), `Search` (quotes about a topic, maybe grouped by
who said them) and `Help` (what to ask, when the question made no sense).
Pure functions, no I/O: the answers module turns intents into API calls.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = [
    "Help",
    "Intent",
    "Said",
    "Search",
    "WhoIs",
    "extract_dates",
    "parse_question",
    "said_intent",
    "search_intent",
]


@dataclass(frozen=True)
class Said:
    """The quotes of one speaker, optionally about a topic and within dates."""

    speaker: str
    topic: str | None = None
    since: date | None = None
    until: date | None = None
    latest: bool = False


@dataclass(frozen=True)
class WhoIs:
    """Who a speaker is: names, roles, organisations, how often quoted."""

    name: str


@dataclass(frozen=True)
class Search:
    """Quotes about a topic; `by_speaker` when the question is *who* talked about it."""

    topic: str
    since: date | None = None
    until: date | None = None
    by_speaker: bool = False


@dataclass(frozen=True)
class Help:
    """No question understood (or help asked for): answer with what can be asked."""

    question: str = ""


Intent = Said | WhoIs | Search | Help

# ---------------------------------------------------------------------------
# Dates: "since 2024", "in March 2021", "before 2021-06-01", "between 2020 and 2022"

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))

_DATE_EXPR = (
    r"(?:"
    r"\d{4}-\d{2}-\d{2}"
    r"|\d{4}-\d{2}"
    rf"|(?:{_MONTH_RE})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTH_RE})\.?,?\s+\d{{4}}"
    rf"|(?:{_MONTH_RE})\.?,?\s+\d{{4}}"
    r"|(?:19|20)\d{2}"
    r"|(?:this|last)\s+(?:year|month)"
    r")"
)


def _date_range(expr: str, today: date) -> tuple[date, date]:
    """The first and last day an expression such as "March 2024" or "2024-03-05" covers."""
    text = expr.lower().replace(",", " ").replace(".", " ")
    words = text.split()
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
        d = date(int(m[1]), int(m[2]), int(m[3]))
        return d, d
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        year, month = int(m[1]), int(m[2])
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    if words[0] in ("this", "last"):
        if words[1] == "year":
            year = today.year - (words[0] == "last")
            return date(year, 1, 1), date(year, 12, 31)
        year, month = today.year, today.month
        if words[0] == "last":
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    year = int(words[-1])
    named_month = next((_MONTHS[w] for w in words if w in _MONTHS), None)
    day = next((int(re.sub(r"\D", "", w)) for w in words[:-1] if re.match(r"\d{1,2}(st|nd|rd|th)?$", w)), None)
    if named_month is None:
        return date(year, 1, 1), date(year, 12, 31)
    if day is not None:
        d = date(year, named_month, day)
        return d, d
    last_day = calendar.monthrange(year, named_month)[1]
    return date(year, named_month, 1), date(year, named_month, last_day)


_BETWEEN = re.compile(rf"\b(?:between|from)\s+({_DATE_EXPR})\s+(?:and|to|until|till)\s+({_DATE_EXPR})\b", re.I)
_SINCE = re.compile(rf"\b(since|from|after|starting(?:\s+in)?)\s+({_DATE_EXPR})\b", re.I)
_UNTIL = re.compile(rf"\b(before|until|till|through|up\s+to|by)\s+({_DATE_EXPR})\b", re.I)
_DURING = re.compile(rf"\b(?:in|during|throughout|back\s+in)\s+({_DATE_EXPR})\b", re.I)
_BARE_RELATIVE = re.compile(r"\b(this|last)\s+(year|month)\b", re.I)


def extract_dates(text: str, today: date | None = None) -> tuple[str, date | None, date | None]:
    """Take the date clauses out of a question: (the rest, since, until)."""
    today = today or date.today()
    since: date | None = None
    until: date | None = None

    def cut(match: re.Match[str]) -> str:
        return " "

    for m in list(_BETWEEN.finditer(text)):
        since = _date_range(m[1], today)[0]
        until = _date_range(m[2], today)[1]
    text = _BETWEEN.sub(cut, text)
    for m in list(_SINCE.finditer(text)):
        start, end = _date_range(m[2], today)
        since = end + timedelta(days=1) if m[1].lower() == "after" else start
    text = _SINCE.sub(cut, text)
    for m in list(_UNTIL.finditer(text)):
        start, end = _date_range(m[2], today)
        until = start - timedelta(days=1) if m[1].lower() == "before" else end
    text = _UNTIL.sub(cut, text)
    for m in list(_DURING.finditer(text)):
        since, until = _date_range(m[1], today)
    text = _DURING.sub(cut, text)
    for m in list(_BARE_RELATIVE.finditer(text)):
        since, until = _date_range(m[0], today)
    text = _BARE_RELATIVE.sub(cut, text)
    return _squash(text), since, until


# ---------------------------------------------------------------------------
# Names


def _clean_name(name: str) -> str:
    name = _squash(name).strip(" ,;:.!?\"“”'‘’")
    name = re.sub(r"^(?:the|a|an)\s+(?=[A-Z])", "", name)  # "the Prime Minister", not "a senior official"
    name = re.sub(r"'s$", "", name)
    return name.strip()


def _clean_topic(topic: str | None) -> str | None:
    if topic is None:
        return None
    topic = _squash(topic).strip(" ,;:.!?")
    topic = re.sub(r"^(?:the|a|an)\s+", "", topic, flags=re.I)
    topic = topic.strip("\"“”'‘’ ")
    return topic or None


# ---------------------------------------------------------------------------
# Question shapes, tried in order

_SAY = (
    r"(?:been\s+)?(?:say|says|said|saying|tell|tells|told|telling|state|stated|stating"
    r"|claim|claimed|claiming|comment|commented|mention|mentioned|announce|announced"
    r"|think|thinks|thought|predict|predicted|talk|talked|talking|speak|spoke|spoken)"
)
_QUOTES = r"(?:quotes?|quotations?|statements?|comments?|remarks?|words|sayings?)"
_TOPIC_MARK = r"(?:about|on|regarding|concerning|re|mentioning)"
# Preferred first: in "what did Austin say on Tuesday about ISIS" the topic is ISIS.
_TOPIC_MARKS_BY_PREFERENCE = ("about", "regarding", "concerning", "mentioning", "re", "on")
_SHOW = r"(?:(?:show|give|get|find|list|fetch|search(?:\s+for)?)\s+(?:me\s+|us\s+)?(?:all\s+)?)?(?:the\s+|some\s+|any\s+)?"
_LATEST = r"(?P<latest>latest|newest|recent|most\s+recent|last|new)"

_HELP = re.compile(r"^(?:help|\?|commands|what can (?:you|i) (?:do|ask)|how does this work|usage)$", re.I)

_WHO_IS = [
    re.compile(r"^(?:who|what)\s*(?:is|was|are|'s|s)\s+(?P<name>.+)$", re.I),
    re.compile(r"^(?:tell\s+me|what\s+do\s+you\s+know|what\s+can\s+you\s+tell\s+me)\s+about\s+(?P<name>.+)$", re.I),
    re.compile(r"^(?:info|information|profile|bio|background)\s+(?:on|about|for|of)\s+(?P<name>.+)$", re.I),
]

_WHO_TALKED = re.compile(
    rf"^who(?:\s+(?:has|have|had|did|else|else\s+has))?\s+(?:ever\s+)?"
    rf"(?:{_SAY}|discussed|discusses|addressed|was\s+quoted|is\s+quoted|were\s+quoted|criticised|criticized|praised|warned)"
    rf"(?:\s+(?:anything|something))?(?:\s+{_TOPIC_MARK})?\s+(?P<topic>.+)$",
    re.I,
)

_SEARCH = [
    re.compile(rf"^{_SHOW}{_QUOTES}\s+{_TOPIC_MARK}\s+(?P<topic>.+)$", re.I),
    re.compile(rf"^{_SHOW}{_QUOTES}\s+(?:that\s+)?(?:mention|mentions|mentioning|contain|containing|with)\s+(?P<topic>.+)$", re.I),
    re.compile(
        r"^(?:what\s+(?:was|has\s+been|is\s+being|have\s+people|did\s+people|do\s+people|did\s+anyone|has\s+anyone)"
        r"\s+(?:said|say|saying)|anything\s+said|has\s+anyone\s+talked|did\s+anyone\s+talk)"
        rf"\s+{_TOPIC_MARK}\s+(?P<topic>.+)$",
        re.I,
    ),
]

# Last resort before "who is": "search withdrawal", "find Soleimani".
_BARE_SEARCH = re.compile(r"^(?:search|search\s+for|find|look\s+up)\s+(?P<topic>.+)$", re.I)

_SAID = [
    # what did McKenzie say (about troops)
    re.compile(
        rf"^what(?:\s+(?:did|does|do|has|have|had|is|was|were)|'s|s)\s+(?P<name>.+?)\s+(?:got\s+to\s+say|{_SAY})\b(?P<rest>.*)$",
        re.I,
    ),
    # what McKenzie said (about troops)
    re.compile(rf"^what\s+(?P<name>.+?)\s+(?:has\s+|had\s+)?{_SAY}\b(?P<rest>.*)$", re.I),
    # did McKenzie say anything about troops
    re.compile(
        rf"^(?:did|has|does|have|is)\s+(?P<name>.+?)\s+(?:ever\s+)?{_SAY}\b(?P<rest>.*)$",
        re.I,
    ),
    # (show me the) latest quotes from/by Austin (about …)
    re.compile(
        rf"^{_SHOW}(?:{_LATEST}\s+)?{_QUOTES}\s+(?:from|by|of|said\s+by)\s+(?P<name>.+?)"
        rf"(?P<rest>\s+{_TOPIC_MARK}\s+.+)?$",
        re.I,
    ),
    # McKenzie's latest quotes (about …) / McKenzie quotes
    re.compile(
        rf"^{_SHOW}(?P<name>.+?)(?:'s|’s|s')?\s+(?:{_LATEST}\s+)?{_QUOTES}(?P<rest>\s+{_TOPIC_MARK}\s+.+)?$",
        re.I,
    ),
    # (what's) the latest from Austin
    re.compile(
        rf"^(?:what(?:'s|\s+is)\s+)?(?:the\s+)?{_LATEST}\s+(?:from|by)\s+(?P<name>.+?)"
        rf"(?P<rest>\s+{_TOPIC_MARK}\s+.+)?$",
        re.I,
    ),
]

# Words that cannot begin a speaker's name: what is left when a pattern over-reached.
_NOT_A_NAME = re.compile(
    r"^(?:show|give|get|find|list|fetch|search|me|us|some|any|all|latest|newest|recent|you|i|we"
    r"|they|he|she|it|people|anyone|someone|everyone|anybody|somebody|everybody|nobody"
    r"|did|does|do|has|have|had|is|was|were|will|would|can|could)\b",
    re.I,
)

_POLITE_PREFIX = re.compile(
    r"^(?:(?:<@[!&]?\d+>|@[\w.-]+|(?:hey|hi|hello|ok|okay|so|please|pls|quotelens|bot|yo)\b)[\s,:;!-]*)+",
    re.I,
)
_POLITE_SUFFIX = re.compile(r"[\s,]+(?:please|pls|thanks|thank\s+you)$", re.I)
_CAN_YOU = re.compile(
    r"^(?:can|could|would)\s+you\s+(?:please\s+)?(?:tell\s+me\s+|show\s+me\s+|find\s+(?:me\s+)?|give\s+me\s+)?",
    re.I,
)
_LATEST_WORD = re.compile(r"\b(latest|newest|most\s+recent|recently|lately|recent)\b", re.I)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _normalise(question: str) -> str:
    text = question.replace("’", "'").replace("‘", "'").replace("`", "'")
    text = _squash(text)
    text = text.strip(" ?!.")
    text = _POLITE_PREFIX.sub("", text)
    text = _POLITE_SUFFIX.sub("", text)
    text = _CAN_YOU.sub("", text)
    text = re.sub(r"^(?:i\s+(?:want|would\s+like)\s+to\s+know|tell\s+me|show\s+me)\s+(?=what|who)", "", text, flags=re.I)
    return text.strip(" ?!.,")


def _topic_from(rest: str | None) -> str | None:
    """The topic of the words after the verb: "about the troops" → "troops"."""
    if not rest:
        return None
    for mark in _TOPIC_MARKS_BY_PREFERENCE:
        if m := re.search(rf"\b{mark}\s+(?P<topic>.+)$", rest, re.I):
            return _clean_topic(m["topic"])
    return None


def _said_from(match: re.Match[str], latest_hint: bool, since: date | None, until: date | None) -> Said | None:
    name = _clean_name(match["name"])
    if not name or _NOT_A_NAME.match(name):
        return None
    groups = match.groupdict()
    latest = latest_hint or bool(groups.get("latest"))
    name = _LATEST_WORD.sub("", name).strip() or name
    return Said(
        speaker=name,
        topic=_topic_from(groups.get("rest")),
        since=since,
        until=until,
        latest=latest,
    )


def parse_question(question: str, today: date | None = None) -> Intent:
    """The intent of one English question; `Help` when it is not understood."""
    text = _normalise(question)
    if not text or _HELP.match(text):
        return Help(question)
    latest_hint = bool(_LATEST_WORD.search(text))
    rest, since, until = extract_dates(text, today)
    rest = _squash(re.sub(r"\b(?:recently|lately)\b", " ", rest, flags=re.I)).strip(" ,")

    if m := _WHO_TALKED.match(rest):
        topic = _clean_topic(m["topic"])
        if topic:
            return Search(topic, since=since, until=until, by_speaker=True)

    for pattern in _SEARCH:
        if (m := pattern.match(rest)) and (topic := _clean_topic(m["topic"])):
            return Search(topic, since=since, until=until)

    for pattern in _SAID:
        if m := pattern.match(rest):
            said = _said_from(m, latest_hint, since, until)
            if said is not None:
                return said

    if (m := _BARE_SEARCH.match(rest)) and (topic := _clean_topic(m["topic"])):
        return Search(topic, since=since, until=until)

    for pattern in _WHO_IS:
        if m := pattern.match(rest):
            name = _clean_name(m["name"])
            if name and not re.match(r"^(?:the\s+)?(?:latest|newest)\b", name, re.I):
                return WhoIs(name)

    return Help(question)


def said_intent(speaker: str, topic: str | None = None, today: date | None = None) -> Said:
    """A `Said` from separate fields (a slash command's options); dates may ride in the topic."""
    since = until = None
    if topic:
        topic, since, until = extract_dates(topic, today)
    return Said(speaker=_clean_name(speaker) or speaker.strip(), topic=_clean_topic(topic), since=since, until=until)


def search_intent(topic: str, today: date | None = None) -> Search | Help:
    """A `Search` from a slash command's text; dates may ride in it ("withdrawal since 2024")."""
    rest, since, until = extract_dates(topic, today)
    cleaned = _clean_topic(rest)
    return Search(cleaned, since=since, until=until) if cleaned else Help(topic)
