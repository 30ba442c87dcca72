"""Chinese demand texts as the triage models, the duplicate finder and the hot-spot finder read them.

Real exports carry noise (runs of `\\n\\t`, ideographic spaces, full-width letters and digits, texts of thousands
of characters); `clean` removes it. `words` segments with jieba (or splits a text that is already segmented) and
drops stop words and punctuation. Both are pure and cheap to call again: jieba's dictionary loads once per
process, on first use.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import unicodedata
from collections.abc import Iterable

import jieba

# Longer texts say nothing more about their category and cost segmentation time: a demand's first thousand
# characters name its problem, the rest is detail and history.
MAX_CHARS = 1000
_SPACES = re.compile(r"\s+")
_CJK = "\u4e00-\u9fff"
# "词 词 词": a segmented text has spaces between CJK characters; a raw one has at most a few.
_SEGMENTED_GAP = re.compile(rf"[{_CJK}] [{_CJK}]")
_WORD = re.compile(rf"[{_CJK}a-z0-9]")

# Function words and the formulas every demand carries (尊敬的领导, 反映, 希望); written here, not a downloaded list.
STOP_WORDS = frozenset(
    " ".join(
        (
            "的 了 和 是 在 我 我们 你 您 你们 他 她 它 他们 她们 这 那 这个 那个 这些",
            "那些 这里 那里 有 也 都 就 与 及 以及 等 等等 把 被 从 向 对 对于 为 为了",
            "给 让 使 将 会 能 能够 可以 可 要 想 还 又 再 并 并且 而 而且 但 但是 却",
            "如果 因为 所以 由于 因此 虽然 或 或者 以 之 其 此 该 各 每 某 个 些 一 一个",
            "一些 一直 已 已经 曾 曾经 正在 着 过 吗 呢 吧 啊 呀 哦 嗯 么 什么 怎么 怎样",
            "如何 为何 为什么 哪 哪里 谁 多少 几 很 非常 十分 特别 太 更 最 比较 挺 不",
            "没 没有 无 非 别 请 请问 谢谢 感谢 尊敬 领导 您好 你好 各位 相关 部门 有关",
            "问题 情况 现在 目前 今天 今年 去年 时候 时间 进行 出现 存在 造成 导致 希望 要求",
            "反映 关于 一下 一样 这样 那样 这么 那么 如此 自己 大家 本人 我家 市 区 县 省",
            "日 月 年 号 上 下 中 内 外 后 前 里 到 于 即 则 且 既 如 像 当 由 至",
            "才 只 仅 还是 就是 不是 也是",
        )
    ).split()
)

_tokenizer: jieba.Tokenizer | None = None
_tokenizer_lock = threading.Lock()


def tokenizer() -> jieba.Tokenizer:
    """The process's jieba tokenizer, its dictionary loaded on first use (about a second, once)."""
    global _tokenizer
    if _tokenizer is None:
        with _tokenizer_lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                made = jieba.Tokenizer()
                made.initialize()
                _tokenizer = made
    return _tokenizer


def clean(text: object, *, limit: int | None = MAX_CHARS) -> str:
    """The text in one line: NFKC (full-width letters and digits to ASCII), lower case, every run of whitespace
    (`\\n\\t`, ideographic spaces) one space, trimmed, cut to `limit` characters. None and numbers are welcome."""
    if text is None:
        return ""
    normal = unicodedata.normalize("NFKC", str(text)).lower()
    one_line = _SPACES.sub(" ", normal).strip()
    return one_line[:limit] if limit is not None else one_line


def is_segmented(text: str) -> bool:
    """Whether the text is already a space-separated list of words (as a segmented export column is)."""
    gaps = len(_SEGMENTED_GAP.findall(text))
    return gaps >= 2 and text.count(" ") * 6 >= len(text)


def words(text: object, *, segmented: bool | None = None, limit: int = MAX_CHARS) -> list[str]:
    """The words of the text's first `limit` characters (spaces of a segmented text not counted), stop words and
    punctuation dropped. `segmented=None` decides from the text itself."""
    cleaned = clean(text, limit=3 * limit)  # room for the spaces of a segmented text
    if not cleaned:
        return []
    if segmented is None:
        segmented = is_segmented(cleaned)
    pieces: Iterable[str] = _first_chars(cleaned.split(" "), limit) if segmented else segment(cleaned[:limit])
    return [w for w in (p.strip() for p in pieces) if w and w not in STOP_WORDS and _WORD.search(w)]


# jieba's own splitting of a text into blocks of words (CJK, letters, digits and a few joiners), whitespace and
# single other characters, and its test for a letter or digit that joins its neighbours.
_BLOCK = re.compile(r"([\u4e00-\u9fd5a-zA-Z0-9+#&._%\-]+)")
_SKIP = re.compile(r"(\r\n|\s)")
_ASCII_WORD = re.compile("[a-zA-Z0-9]")


def segment(text: str) -> list[str]:
    """The text cut into words exactly as jieba's `lcut(text, HMM=False)` cuts it, in half the time.

    The same dictionary and the same rule: the cut of greatest total log frequency over the graph of dictionary
    words (of equal scores, the one whose word at a place is longer), runs of single letters and digits joined.
    jieba builds the graph as a dict of lists, then scores it with a generator of tuples per character; here one
    backward pass does both, which halved segmentation, the larger part of a suggestion's cost (README, "Triage").
    Tested equal to jieba.
    """
    out: list[str] = []
    for block in _BLOCK.split(text):
        if not block:
            continue
        if _BLOCK.match(block):
            _cut_block(block, out)
            continue
        for piece in _SKIP.split(block):
            if _SKIP.match(piece):
                out.append(piece)
            else:
                out.extend(piece)
    return out


def _cut_block(block: str, out: list[str]) -> None:
    made = tokenizer()
    frequency = made.FREQ.get  # words, and their prefixes with frequency 0
    log_total = math.log(made.total)
    n = len(block)
    # best[k]: the best score of block[k:]; last[k]: where the first word of that cut ends (inclusive).
    best = [0.0] * (n + 1)
    last = [0] * (n + 1)
    for k in range(n - 1, -1, -1):
        top: float | None = None
        end = k
        i = k
        count = frequency(block[k])
        while count is not None:
            if count:
                score = math.log(count) - log_total + best[i + 1]
                if top is None or score >= top:
                    top, end = score, i
            i += 1
            if i >= n:
                break
            count = frequency(block[k : i + 1])
        if top is None:  # no word starts here: the character alone
            top = math.log(frequency(block[k]) or 1) - log_total + best[k + 1]
        best[k], last[k] = top, end
    x = 0
    joined = ""
    while x < n:
        y = last[x] + 1
        word = block[x:y]
        if y - x == 1 and _ASCII_WORD.match(word):
            joined += word
        else:
            if joined:
                out.append(joined)
                joined = ""
            out.append(word)
        x = y
    if joined:
        out.append(joined)


def _first_chars(tokens: list[str], limit: int) -> list[str]:
    """The leading tokens holding at most `limit` characters: a segmented text cut as its raw text would be."""
    kept: list[str] = []
    used = 0
    for token in tokens:
        used += len(token)
        if used > limit:
            break
        kept.append(token)
    return kept


def compact(text: object) -> str:
    """The cleaned text without its spaces: what character n-grams are read from (a segmented text included)."""
    return clean(text).replace(" ", "")
