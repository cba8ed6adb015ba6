"""How text becomes the words the index holds (and a query looks for): one analyzer for every text field.

Latin (and every other spaced) script: words lower-cased, English stop words gone, accents folded, so café, cafe
and CAFÉ are one word and a query typed without accents finds the text written with them, and the other way round.

Chinese, Japanese and Korean are written without spaces between words, so a whole run such as 東京タワーの夜景
would be one "word" no query short of the whole run finds. Such a run becomes its overlapping pairs of characters
(bigrams: 東京 京タ タワ ワー ーの の夜 夜景), which needs no dictionary; a query run becomes its pairs too, and the
query parser looks for them in a row (a phrase), so 東京タワー finds it and 京都タワー does not. A run of one
character stays that character. The index also holds each character of a longer run on its own (at the position
of its pair), so a one-character query (猫) finds 我的猫很可爱; a query asks only for pairs, which are far rarer.
"""
from __future__ import annotations

import re

from whoosh import analysis
from whoosh.analysis.filters import STOP_WORDS
from whoosh.support.charset import accent_map

# Han (with radicals, 々 〆 〇 and the extension planes), Hiragana, Katakana (with the half-width forms and ー),
# Hangul. Punctuation inside these blocks (・ 、 。) is not a letter and separates runs like a space does.
_CJK_RANGES = ("\u1100-\u11ff\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3031-\u3035\u3038-\u303c\u3041-\u309f"
               "\u30a0-\u30ff\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7af"
               "\ud7b0-\ud7ff\uf900-\ufaff\uff66-\uffdc\U00020000-\U0003134f")
_CJK_CHAR = re.compile(f"[{_CJK_RANGES}]")
# Letters of a CJK run (\w excludes the punctuation of those blocks), or a word as whoosh's default tokenizer
# finds it ("3.14" and "e.g" stay one word) made only of other letters, so "Parley東京" is "Parley" and "東京".
_OTHER = rf"(?:[^\W{_CJK_RANGES}]|\*)"
_WORDS = re.compile(rf"(?:(?=\w)[{_CJK_RANGES}])+|{_OTHER}+(?:\.?{_OTHER}+)*")


def is_cjk(char: str) -> bool:
    """Whether a character is written without spaces around its words (each one is a place to cut text)."""
    return bool(_CJK_CHAR.match(char))


def has_cjk(text: str) -> bool:
    return bool(_CJK_CHAR.search(text))


class SpacedStopFilter(analysis.StopFilter):
    """Stop words and one-letter words gone, as whoosh's StopFilter does, but never a CJK run: one character of
    those scripts (猫, 书) is a word."""

    def __call__(self, tokens):
        pos = None
        for t in tokens:
            text = t.text
            kept = is_cjk(text[0]) or (len(text) >= self.min and (self.max is None or len(text) <= self.max)
                                       and text not in self.stops)
            if kept:
                if self.renumber and t.positions:
                    # The words kept sit one after another: a phrase query may step over a stop word.
                    pos = t.pos if pos is None else pos + 1
                    t.pos = pos
                t.stopped = False
                yield t
            elif not t.removestops:
                t.stopped = True
                yield t


class CJKBigramFilter(analysis.Filter):
    """Each CJK run as its overlapping character pairs, at consecutive positions (and, when indexing, each
    character too, at its pair's position), with the characters they cover, so phrases and highlighting work;
    the words after a run move on by as many positions as it took."""

    version = 1  # raise it when what this makes of a run changes: index folders made by the old one are rebuilt

    def __call__(self, tokens):
        shift = 0
        for t in tokens:
            text = t.text
            if not is_cjk(text[0]) or len(text) == 1:
                if t.positions:
                    t.pos += shift
                yield t
                continue
            base = t.pos + shift if t.positions else 0
            start = t.startchar if t.chars else 0
            singles = t.mode == "index"
            pairs = len(text) - 1
            for i in range(len(text)):
                pos = base + min(i, pairs - 1)
                if i < pairs:
                    yield _piece(t, text[i:i + 2], pos, start + i)
                if singles:
                    yield _piece(t, text[i], pos, start + i)
            shift += pairs - 1


def _piece(t, text: str, pos: int, startchar: int):
    t.text = text
    if t.positions:
        t.pos = pos
    if t.chars:
        t.startchar, t.endchar = startchar, startchar + len(text)
    return t


TEXT = (analysis.RegexTokenizer(_WORDS) | analysis.LowercaseFilter() | SpacedStopFilter(STOP_WORDS, minsize=2)
        | CJKBigramFilter() | analysis.CharsetFilter(accent_map))
