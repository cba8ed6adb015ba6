"""Three-way merge of Markdown texts and the stored normal form."""
from __future__ import annotations

from webapp.services.wiki.merge import normalise, three_way

BASE = "# Title\n\nFirst paragraph.\n\nSecond paragraph.\n\nThird paragraph.\n"


def test_non_overlapping_edits_merge_cleanly():
    mine = BASE.replace("First paragraph.", "First paragraph, improved.")
    theirs = BASE.replace("Third paragraph.", "Third paragraph, extended.")
    result = three_way(BASE, mine, theirs)
    assert result.clean
    assert result.text == BASE.replace("First paragraph.", "First paragraph, improved.").replace(
        "Third paragraph.", "Third paragraph, extended.")


def test_overlapping_edits_conflict_with_both_texts_kept():
    mine = BASE.replace("Second paragraph.", "Second paragraph by me.")
    theirs = BASE.replace("Second paragraph.", "Second paragraph by them.")
    result = three_way(BASE, mine, theirs)
    assert not result.clean
    assert "<<<<<<< yours\nSecond paragraph by me.\n=======\nSecond paragraph by them.\n>>>>>>> theirs\n" in result.text


def test_identical_and_one_sided_changes():
    mine = BASE + "\nAppendix.\n"
    assert three_way(BASE, mine, mine).text == mine
    assert three_way(BASE, BASE, mine).text == mine
    assert three_way(BASE, mine, BASE).text == mine


def test_normal_form():
    assert normalise("a  \r\nb\r\n\r\n\r\n") == "a\nb\n"
    assert normalise("") == "" and normalise(None) == ""
