"""Chinese, Japanese and Korean findable by the words inside a run written without spaces (its character pairs),
highlighted whole; Latin text analyzed exactly as before (stop words, accents folded, prefixes, phrases)."""
from __future__ import annotations

import copy
import re
from html import unescape

import pytest
from whoosh import analysis, index
from whoosh.support.charset import accent_map

from tests import factories
from webapp.adapters.search_index import SCHEMA, TEXT, Writer
from webapp.services import search
from webapp.services.search import indexer
from webapp.services.wiki import pages, spaces

# The analyzer every text field had before CJK runs were split: Latin text must come out of TEXT the same.
LATIN_BEFORE = analysis.StandardAnalyzer() | analysis.CharsetFilter(accent_map)


def tokens(text: str, **kw) -> list[tuple[str, int, int, int]]:
    return [(t.text, t.pos, t.startchar, t.endchar) for t in TEXT(text, positions=True, chars=True, **kw)]


def words(text: str, mode: str = "query") -> list[str]:
    return [t.text for t in TEXT(text, mode=mode)]


def titles(viewer, q: str) -> list[str]:
    return sorted(h.title for h in search.search(viewer, q))


def marked(viewer, q: str) -> list[str]:
    """What each hit's snippet marks as the match, in the order shown."""
    return [m for h in search.search(viewer, q) for m in re.findall(r"\[\[(.+?)\]\]", h.snippet)]


# --- the analyzer alone ---

def test_a_cjk_run_becomes_its_overlapping_pairs_at_consecutive_positions():
    assert tokens("東京タワーの夜景", mode="query") == [
        ("東京", 0, 0, 2), ("京タ", 1, 1, 3), ("タワ", 2, 2, 4), ("ワー", 3, 3, 5), ("ーの", 4, 4, 6),
        ("の夜", 5, 5, 7), ("夜景", 6, 6, 8)]
    assert words("数据库连接失败") == ["数据", "据库", "库连", "连接", "接失", "失败"]
    assert words("서울에서") == ["서울", "울에", "에서"]
    # A lone character stays itself (one character is a word in these scripts, never a "too short" word).
    assert words("猫") == ["猫"] and words("猫 と 犬") == ["猫", "と", "犬"]


def test_the_index_also_holds_each_character_at_its_pairs_position():
    held = [(t.text, t.pos) for t in TEXT("我的猫", positions=True, mode="index")]
    assert held == [("我的", 0), ("我", 0), ("的猫", 1), ("的", 1), ("猫", 1)]


def test_punctuation_and_other_scripts_end_a_run_and_positions_move_on():
    # 。 and ・ are no letters: they cut like a space. Latin glued to CJK is a word of its own.
    assert tokens("Parley東京 rocks。東京・大阪", mode="query") == [
        ("parley", 0, 0, 6), ("東京", 1, 6, 8), ("rocks", 2, 9, 14), ("東京", 3, 15, 17), ("大阪", 4, 18, 20)]
    # A word after a run sits right after its last pair, as a phrase query expects.
    assert [(t.text, t.pos) for t in TEXT("数据库 error", positions=True)] == [
        ("数据", 0), ("据库", 1), ("error", 2)]
    assert words("2024年3月") == ["2024", "年", "月"]  # one-letter Latin words go, as before


@pytest.mark.parametrize("text", [
    "The café is at 3.14, e.g. x-ray foo*bar a b c I'm naïve CAFÉ Ünïcödé",
    "über_cool __init__ 2024-01-02 the_end",
    "Ελληνικά κείμενο, русский текст, עברית, العربية, हिन्दी",
    "",
])
def test_latin_and_other_spaced_text_analyzes_exactly_as_before(text):
    for kw in ({"mode": "index"}, {"mode": "query"}, {"mode": "query", "removestops": False}):
        before = [(t.text, t.pos, t.startchar, t.endchar, t.stopped)
                  for t in LATIN_BEFORE(text, positions=True, chars=True, **kw)]
        now = [(t.text, t.pos, t.startchar, t.endchar, t.stopped)
               for t in TEXT(text, positions=True, chars=True, **kw)]
        assert now == before


def test_a_changed_analyzer_makes_an_index_of_the_old_one_rebuild(tmp_path):
    before = copy.deepcopy(SCHEMA)
    for name in ("title", "headings", "body"):
        before[name].analyzer = LATIN_BEFORE
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    index.create_in(str(tmp_path / "old"), before)
    index.create_in(str(tmp_path / "new"), SCHEMA)
    assert Writer(tmp_path / "old").stale_schema
    assert not Writer(tmp_path / "new").stale_schema


# --- through the app: what someone searching sees ---

@pytest.fixture
def me(app):
    return factories.user("me@example.com", name="Me")


def test_japanese_is_found_by_the_words_inside_a_run(app, me):
    space = spaces.create(me, "Tokyo", "tokyo")
    pages.create(me, space, "夜の写真", "東京タワーの夜景はきれいです。")
    pages.create(me, space, "京都の旅", "京都タワーに行きました。")
    indexer.run_once()
    assert titles(me, "東京") == ["夜の写真"]
    assert titles(me, "東京タワー") == ["夜の写真"]  # its pairs in a row, not any one of them (京都タワー)
    assert titles(me, "タワー") == ["京都の旅", "夜の写真"]
    assert titles(me, "夜景") == ["夜の写真"]
    assert titles(me, "大阪") == [] and titles(me, "東京の夜") == []  # 東京 and の夜 are there, not in a row
    assert titles(me, "写真") == ["夜の写真"]  # titles too


def test_chinese_is_found_by_its_words_and_single_characters(app, me):
    space = spaces.create(me, "运维", "ops")
    pages.create(me, space, "故障记录", "数据库连接失败，请检查网络。")
    pages.create(me, space, "宠物", "我的猫很可爱")
    indexer.run_once()
    assert titles(me, "连接") == ["故障记录"]
    assert titles(me, "数据库") == ["故障记录"]
    assert titles(me, "数据库 连接") == ["故障记录"]
    assert titles(me, "猫") == ["宠物"]  # one character is a word
    assert titles(me, "连失") == []  # characters of the page, but not in a row


def test_the_snippet_marks_the_matched_characters_whole(app, client, me):
    space = spaces.create(me, "Tokyo", "tokyo")
    pages.create(me, space, "夜の写真", "東京タワーの夜景はきれいです。")
    indexer.run_once()
    assert marked(me, "東京") == ["東京"]
    assert marked(me, "東京タワー") == ["東京タワー"]
    assert marked(me, "タワー 夜景") == ["タワー", "夜景"]
    html = unescape(client.get("/search", query_string={"q": "東京タワー"},
                               headers={"Authorization": f"Bearer {factories.token(me)}"}).get_data(as_text=True))
    assert "<mark>東京タワー</mark>の夜景はきれいです。" in html


def test_a_single_character_query_is_marked_in_the_snippet(app, me):
    space = spaces.create(me, "运维", "ops")
    pages.create(me, space, "宠物", "我的猫很可爱")
    indexer.run_once()
    assert marked(me, "猫") == ["猫"]


def test_the_snippet_of_a_long_text_without_spaces_is_an_excerpt_around_the_match(app, me):
    space = spaces.create(me, "运维", "ops")
    filler = "今天天气很好我们一起去公园散步然后回家吃饭" * 20
    pages.create(me, space, "长文", filler + "数据库连接失败" + filler)
    indexer.run_once()
    (hit,) = search.search(me, "连接")
    assert "[[连接]]" in hit.snippet
    assert len(hit.snippet) < 300  # an excerpt, not the whole page of one "word"


def test_latin_glued_to_cjk_is_found_by_its_word(app, me):
    space = spaces.create(me, "Tokyo", "tokyo")
    pages.create(me, space, "Launch", "Parley東京 launch notes")
    indexer.run_once()
    assert titles(me, "parley") == ["Launch"]
    assert titles(me, "東京") == ["Launch"]
    assert titles(me, "Parley東京") == ["Launch"]
    assert marked(me, "parley") == ["Parley"]


def test_latin_search_works_as_before(app, me):
    space = spaces.create(me, "Ops", "ops")
    pages.create(me, space, "Café notes", "The quick brown fox met the lazy dog at the café.")
    pages.create(me, space, "Fox facts", "A brown fox is quick.")
    indexer.run_once()
    assert titles(me, "cafe") == titles(me, "CAFÉ") == ["Café notes"]
    assert titles(me, "the") == []  # a stop word alone finds nothing
    assert titles(me, "the lazy dog") == ["Café notes"]
    assert titles(me, '"quick brown"') == ["Café notes"]
    assert titles(me, "brow*") == ["Café notes", "Fox facts"]
    assert marked(me, "cafe") == ["café"]
