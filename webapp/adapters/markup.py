"""render_markdown(): Markdown to HTML, then the nh3 allowlist; the one place user text becomes HTML."""
from __future__ import annotations

import re
import threading
import xml.etree.ElementTree as etree
from collections.abc import Callable

import markdown
import markdown.extensions.codehilite
import markdown.extensions.tables
import markdown.extensions.toc
import nh3
from markdown.extensions import Extension
from markdown.extensions.toc import slugify as _toc_slugify
from markdown.extensions.toc import unique as _toc_unique
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor
from pygments.token import STANDARD_TYPES

# (title) -> (href, exists): how a [[Title]] link is resolved; a missing page is shown red.
WikiLinkResolver = Callable[[str], tuple[str, bool]]

VIDEO_ID_RE = r"[A-Za-z0-9_-]{1,16}"
_TIME = r"(?:\d{1,2}:)?\d{1,2}:\d{2}|\d{1,6}"
WIKILINK_RE = r"\[\[([^\[\]|\n]{1,200})(?:\|([^\[\]\n]{1,200}))?\]\]"
VIDEO_EMBED_RE = rf"\{{\{{video:({VIDEO_ID_RE})(?:\s+t=({_TIME})(?:-({_TIME}))?)?\s*\}}\}}"

_PYGMENTS = {c for c in STANDARD_TYPES.values() if c}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "details", "div", "dl",
    "dt", "em", "figcaption", "figure", "hr", "i", "img", "input", "ins", "kbd", "li", "mark", "nav", "ol", "p", "pre",
    "s", "samp", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "u", "ul", *_HEADINGS,
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "input": {"type", "checked", "disabled"},
    "ol": {"start"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan"},
    "span": {"data-video-id", "data-start", "data-end"},
    **{h: {"id"} for h in _HEADINGS},
}
# Only classes the renderer itself produces: user HTML cannot borrow the application's own styles.
ALLOWED_CLASSES = {
    "a": {"wikilink", "missing", "headerlink"},
    "div": {"codehilite", "toc"},
    "nav": {"toc"},
    "li": {"task-list-item"},
    "span": _PYGMENTS | {"wiki-video", "hll"},
    "pre": {"codehilite"},
    "code": {"codehilite"},
}
ANCHOR_PREFIX = "h-"
_DIGITS = re.compile(r"^\d{1,7}$")


URL_SCHEMES = {"http", "https", "mailto"}
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def _safe_url(value: str) -> str | None:
    # Browsers drop tabs, newlines and control characters inside URLs: "jav\tascript:" is "javascript:".
    compact = re.sub(r"[\x00-\x20]+", "", value)
    m = _SCHEME.match(compact)
    if m:
        return value if m.group(1).lower() in URL_SCHEMES else None
    head = re.split(r"[/?#]", compact, maxsplit=1)[0]
    return None if ":" in head else value


def _attribute_filter(tag: str, attr: str, value: str):
    if attr in ("href", "src"):
        return _safe_url(value)
    # Heading ids are prefixed so user text cannot clobber ids the page's scripts look up.
    if attr == "id":
        return value if value.startswith(ANCHOR_PREFIX) and len(value) <= 120 else None
    if tag == "input":
        if attr == "type":
            return "checkbox" if value == "checkbox" else None
        return value
    if attr in ("data-start", "data-end", "colspan", "rowspan", "start", "width", "height"):
        return value if _DIGITS.match(value) else None
    if attr == "data-video-id":
        return value if re.fullmatch(VIDEO_ID_RE, value) else None
    if attr == "align":
        return value if value in ("left", "right", "center") else None
    return value


def sanitize(html: str) -> str:
    """The nh3 allowlist on its own: for HTML that did not come from Markdown."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        attribute_filter=_attribute_filter,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def parse_time(text: str | None) -> int | None:
    """'1:30' -> 90, '1:02:03' -> 3723, '90' -> 90."""
    if not text:
        return None
    seconds = 0
    for part in text.split(":"):
        seconds = seconds * 60 + int(part)
    return seconds


def slugify_anchor(value: str, separator: str = "-") -> str:
    return ANCHOR_PREFIX + (_toc_slugify(value, separator) or "section")


_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_ATX = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-{2,})\s*$")
_INLINE_LINK = re.compile(r"\[\[([^\]|]+)(?:\|([^\]]+))?\]\]|\[([^\]]*)\]\([^)]*\)")


def heading_anchors(text: str) -> list[tuple[int, str]]:
    """(character offset of the heading's line, its anchor id as render_markdown gives it), in order: where a
    search hit in the Markdown can open the rendered page."""
    out: list[tuple[int, str]] = []
    used: set[str] = set()
    in_fence = False
    offset = 0
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        start, offset = offset, offset + len(line)
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        name = None
        m = _ATX.match(line)
        if m:
            name = m.group(1)
        elif (line.strip() and i + 1 < len(lines) and _SETEXT.match(lines[i + 1])
              and not _SETEXT.match(line) and not line.lstrip().startswith(("-", "*", ">", "|"))):
            name = line.strip()
        if name is not None:
            plain = _INLINE_LINK.sub(lambda g: g.group(2) or g.group(1) or g.group(3) or "", name)
            plain = re.sub(r"[*_`~]", "", plain)
            out.append((start, _toc_unique(slugify_anchor(plain), used)))
    return out


class _WikiLinkProcessor(InlineProcessor):
    def __init__(self, pattern, md, resolver: WikiLinkResolver | None):
        super().__init__(pattern, md)
        self.resolver = resolver

    def handleMatch(self, m, data):  # noqa: N802 (Markdown's API)
        title = " ".join(m.group(1).split())
        label = " ".join((m.group(2) or "").split()) or title
        el = etree.Element("a")
        el.text = label
        href, exists = self.resolver(title) if self.resolver else ("#", True)
        el.set("href", href)
        el.set("class", "wikilink" if exists else "wikilink missing")
        if not exists:
            el.set("title", f"Create the page “{title}”")
        return el, m.start(0), m.end(0)


class _VideoEmbedProcessor(InlineProcessor):
    def handleMatch(self, m, data):  # noqa: N802 (Markdown's API)
        # A marker only: which player (or placeholder) it becomes depends on who views the page.
        el = etree.Element("span")
        el.set("class", "wiki-video")
        el.set("data-video-id", m.group(1))
        start, end = parse_time(m.group(2)), parse_time(m.group(3))
        if start is not None:
            el.set("data-start", str(start))
        if end is not None and start is not None and end > start:
            el.set("data-end", str(end))
        el.text = ""
        return el, m.start(0), m.end(0)


class _TaskListProcessor(Treeprocessor):
    _box = re.compile(r"^\[([ xX])\]\s+")

    def run(self, root):
        for li in root.iter("li"):
            holder = li
            if not (li.text or "").strip() and len(li) and li[0].tag == "p":
                holder = li[0]  # a loose list wraps the text in <p>
            m = self._box.match(holder.text or "")
            if not m:
                continue
            box = etree.Element("input", {"type": "checkbox", "disabled": "disabled"})
            if m.group(1) in "xX":
                box.set("checked", "checked")
            box.tail = (holder.text or "")[m.end():]
            holder.text = ""
            holder.insert(0, box)
            li.set("class", "task-list-item")


class _ParleyExtension(Extension):
    """Wiki links, video embeds and task lists; the link resolver is set per conversion (see _converter)."""

    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API)
        md.inlinePatterns.register(_WikiLinkProcessor(WIKILINK_RE, md, None), "parley_wikilink", 175)
        md.inlinePatterns.register(_VideoEmbedProcessor(VIDEO_EMBED_RE, md), "parley_video", 174)
        md.treeprocessors.register(_TaskListProcessor(md), "parley_tasks", 1)


_local = threading.local()


def _base_extensions():
    return [
        # Alignment as align="", not a style attribute (the allowlist drops style).
        markdown.extensions.tables.TableExtension(use_align_attribute=True),
        "fenced_code",
        "sane_lists",
        "def_list",
        "abbr",
        # Pygments classes, never inline styles: the CSP forbids inline style.
        markdown.extensions.codehilite.CodeHiliteExtension(css_class="codehilite", guess_lang=False, noclasses=False),
        markdown.extensions.toc.TocExtension(slugify=slugify_anchor, permalink="#", permalink_class="headerlink",
                                             permalink_title="Link to this section", toc_depth="2-4"),
    ]


def _converter(resolver: WikiLinkResolver | None) -> markdown.Markdown:
    # Markdown instances are not thread-safe and are costly to build: one per thread, reset per use.
    md = getattr(_local, "md", None)
    if md is None:
        md = markdown.Markdown(extensions=[*_base_extensions(), _ParleyExtension()], tab_length=4)
        _local.md = md
    md.reset()
    md.inlinePatterns["parley_wikilink"].resolver = resolver
    return md


MAX_MARKDOWN_CHARS = 1_000_000


def render_markdown(text: str, *, wikilinks: WikiLinkResolver | None = None, with_toc: bool = False) -> str:
    """Markdown (and any raw HTML in it) to safe HTML; with_toc puts a table of contents first when it helps."""
    text = (text or "")[:MAX_MARKDOWN_CHARS]
    md = _converter(wikilinks)
    html = md.convert(text)
    if with_toc and _count_headings(getattr(md, "toc_tokens", [])) >= 3:
        html = md.toc.replace('<div class="toc">', '<nav class="toc">', 1).removesuffix("</div>\n") + "</nav>\n" + html
    return sanitize(html)


def _count_headings(tokens) -> int:
    return sum(1 + _count_headings(t.get("children", [])) for t in tokens or [])
