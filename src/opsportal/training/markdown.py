"""Course markdown rendered to sanitised HTML: text in, safe HTML out."""

from __future__ import annotations

import markdown
import nh3

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip


def render_course_content(content: str) -> str:
    """Course markdown as sanitised HTML, safe to put into a page unescaped."""
    html = markdown.markdown(content, extensions=["tables", "fenced_code"], output_format="html")
    return nh3.clean(html, tags=_ALLOWED_TAGS, link_rel="noopener noreferrer nofollow")
