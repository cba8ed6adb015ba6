"""Three-way merge of Markdown by lines (merge3), and the normal form texts are stored in."""
from __future__ import annotations

from dataclasses import dataclass

import merge3


def normalise(text: str | None) -> str:
    """One newline style and one final newline, so equal texts compare and merge equal."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")
    return text + "\n" if text else ""


@dataclass
class MergeResult:
    text: str  # the merge; when not clean, with conflict markers around each overlapping region
    clean: bool


def three_way(base: str, mine: str, theirs: str) -> MergeResult:
    base, mine, theirs = normalise(base), normalise(mine), normalise(theirs)
    if mine == theirs or theirs == base:
        return MergeResult(mine, True)
    if mine == base:
        return MergeResult(theirs, True)
    m = merge3.Merge3(base.splitlines(True), mine.splitlines(True), theirs.splitlines(True))
    clean = not any(region[0] == "conflict" for region in m.merge_regions())
    lines = m.merge_lines(name_a="yours", name_b="theirs", start_marker="<<<<<<<", mid_marker="=======",
                          end_marker=">>>>>>>")
    return MergeResult("".join(lines), clean)
