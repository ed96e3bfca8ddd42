"""Lines of a news page that are not the article: site furniture copied along with the text.

Pages saved as text, and some pages after main-text extraction, keep lines such as
"Font Size:", "Leave a Reply", "Tags Iraq Islamic State …", "CLICK HERE TO READ
MORE", breadcrumbs ("Home Global News <headline>"), logo captions and photo
credits ("REUTERS/Idrees Ali", "Getty Images"). They are neither the title nor a
quote. The rules are general shapes of such lines, not any one site's layout: each
one only fires on a line that is short and does not read as a sentence.
"""

from __future__ import annotations

import re

__all__ = ["is_boilerplate", "strip_boilerplate", "is_breadcrumb"]

# A line longer than this is prose, whatever it starts with.
_SHORT = 160

# Whole lines that are page furniture (matched case-insensitively against the stripped line).
_FURNITURE = re.compile(
    r"""^(?:
        font\s*size:?.*
      | text\s*size:?.*
      | (?:leave|post|add|write)\s+a\s+(?:reply|comment|response).*
      | \d+\s+comments?
      | comments?(?:\s*\(\d+\))?
      | (?:show|view|load|see)\s+(?:all\s+|more\s+)?comments?
      | (?:tags?|topics?|filed\s+under|categories|category|related\s+topics|keywords)\b\s*:?\s+[^.!?]*
      | (?:tags?|topics?|related|related\s+articles?|related\s+stories|more\s+stories|most\s+(?:popular|read|viewed)|trending(?:\s+now)?|recommended(?:\s+for\s+you)?|you\s+may\s+also\s+like|read\s+next|up\s+next|editor'?s\s+picks?)\s*:?
      | click\s+here\b.*
      | (?:read|see|learn)\s+more\b[^.!?]{0,100}
      | (?:continue\s+reading|read\s+the\s+(?:full|whole)\s+(?:story|article)|read\s+full\s+article)\b.*
      | see\s+all\b[^.!?]{0,60}
      | load\s+more
      | show\s+more
      | (?:advertisement|advertising|sponsored(?:\s+content)?|ad|promoted|story\s+continues\s+below(?:\s+advertisement)?)
      | skip\s+to\s+(?:main\s+)?content
      | (?:share|share\s+this(?:\s+(?:article|story|post))?|share\s+on\s+\w+|tweet|email|print|copy\s+link|whatsapp|facebook|twitter|linkedin|pinterest|reddit)(?:\s*[|/·•]\s*\w+)*
      | (?:sign\s+up|subscribe|register)\b[^.!?]{0,120}(?:newsletter|updates|alerts|free|today|now|here)\b[^.!?]*[.!]?
      | follow\s+(?:us|@?\w+(?:\s+\w+){0,3})\s+on\s+(?:twitter|facebook|instagram|x|youtube|tiktok|linkedin)\b.*
      | (?:all\s+rights\s+reserved|©|\(c\)\s|copyright\b).*
      | (?:photo|image|picture|video|graphic|illustration|caption)(?:\s+(?:credit|source|courtesy))?\s*:.*
      | (?:getty\s+images|shutterstock|istock(?:photo)?|ap\s+photo|afp(?:\s+via\s+getty\s+images)?|reuters|associated\s+press|epa|file\s+photo)(?:\s*[/,-].{0,60})?
      | (?:reuters|ap|afp|epa|getty|bloomberg|xinhua|anadolu)\s*/\s*[\w.\-]+(?:\s+[\w.\-]+){0,3}
      | (?:image|photo)\s+(?:copyright|caption|source)\b.*
      | .{0,80}\blogo
      | back\s+to\s+top
      | (?:previous|next)\s+(?:article|story|post)\b.*
      | (?:this\s+(?:article|story)\s+(?:was|has\s+been)\s+(?:updated|corrected)).{0,80}
      | (?:updated|published|posted|last\s+updated)\s*:?\s+[^.!?]{0,60}\d[^.!?]{0,40}
      | loading(?:\s*\.{3}|…)?
    )$""",
    re.IGNORECASE | re.VERBOSE,
)

# Breadcrumbs: "Home › News › World", "Home / Politics", "Home Global News <headline>".
_CRUMB_SEPARATORS = re.compile(r"\s+[›»>/|·•]\s+")
_HOME = re.compile(r"^(?:home|start|front\s+page)\b\s*[›»>/|·•:]?\s*", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…\"”’)]$")


def is_breadcrumb(line: str, headline: str | None = None) -> bool:
    """A navigation trail at the top of a page rather than text."""
    line = line.strip()
    if len(line) > _SHORT or not _HOME.match(line) or _SENTENCE_END.search(line):
        return False
    rest = _HOME.sub("", line, count=1)
    if _CRUMB_SEPARATORS.search(line):
        return True
    # "Home Global News <headline>": the trail ends with the headline the page shows next.
    if not headline:
        return False
    headline = headline.strip()
    return bool(headline) and rest.endswith(headline) and len(rest) > len(headline)


def is_boilerplate(line: str) -> bool:
    """A line that is page furniture, never an article's title or text."""
    line = line.strip()
    if not line:
        return False
    if len(line) > _SHORT:
        return False
    return bool(_FURNITURE.match(line)) or (
        bool(_CRUMB_SEPARATORS.search(line)) and bool(_HOME.match(line)) and not _SENTENCE_END.search(line)
    )


def strip_boilerplate(text: str, *, edges_only: bool = False) -> str:
    """The text without its furniture lines (blank lines kept, so paragraphs stay apart).

    A breadcrumb is recognised near the top only, where it can be told by the headline after it.
    `edges_only`: only the furniture before the first and after the last line of text goes,
    so what is kept is one stretch of the input (a text file's offsets stay comparable with
    the file's); a credit line in the middle stays, and is never a quote anyway.
    """
    lines = text.split("\n")
    nonblank = [i for i, ln in enumerate(lines) if ln.strip()]
    drop: set[int] = set()
    for pos, i in enumerate(nonblank):
        line = lines[i]
        if is_boilerplate(line):
            drop.add(i)
        elif pos < 5:
            later = [lines[j] for j in nonblank[pos + 1 : pos + 3]]
            if any(is_breadcrumb(line, h) for h in later) or is_breadcrumb(line):
                drop.add(i)
    if edges_only:
        keep_from = next((pos for pos, i in enumerate(nonblank) if i not in drop), len(nonblank))
        keep_to = next((pos for pos in range(len(nonblank) - 1, -1, -1) if nonblank[pos] not in drop), -1)
        drop = {i for pos, i in enumerate(nonblank) if pos < keep_from or pos > keep_to}
    if not drop:
        return text
    if edges_only:
        inner = [i for i in nonblank if i not in drop]
        return "\n".join(lines[inner[0] : inner[-1] + 1]) if inner else ""
    kept = [ln for i, ln in enumerate(lines) if i not in drop]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip("\n")
