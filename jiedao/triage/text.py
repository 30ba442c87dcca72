"""Chinese demand texts as the triage models, the duplicate finder and the hot-spot finder read them.

Real exports carry noise (runs of `\\n\\t`, ideographic spaces, full-width letters and digits, texts of thousands
of characters); `clean` removes it. `words` segments with jieba (or splits a text that is already segmented) and
drops stop words and punctuation. Both are pure and cheap to call again: jieba's dictionary loads once per
process, on first use.
"""

from __future__ import annotations

import logging
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
    pieces: Iterable[str] = (
        _first_chars(cleaned.split(" "), limit) if segmented else tokenizer().lcut(cleaned[:limit], HMM=False)
    )
    return [w for w in (p.strip() for p in pieces) if w and w not in STOP_WORDS and _WORD.search(w)]


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
