"""Hot spots found in real residents' messages, and how they compare with the messages' support counts (点赞数).

    .venv/bin/python bench/hotspots.py [--file PATH] [--top N] [--alike N]

Reads hotspot_messages.xlsx (2020 TipDM Cup, ../shared/data/tipdm2020; skipped with a message when absent), cleans
and segments every message as the product does (jiedao.triage.text), and runs the product's own grouping
(jiedao.hotspots.clustering.group_documents) twice: over the whole period as one corpus (the figures compared with
the likes), and over every window of five weeks (this week and the four before, as the nightly job does for an
office), sliding by one week. Prints `name=value` lines; key words of the largest groups are printed, never a
message's text. Then, with no data needed, the worst case for memory: N demands (10,000 by default) told in nearly the
same words, so all of them form one group (a surge, or a district's copy-pasted template), grouped in a process of
its own: seconds and peak memory (its maximum resident set).
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import random
import resource
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jiedao.hotspots.clustering import Group, group_documents, label_of, tokens_of  # noqa: E402
from jiedao.hotspots.weeks import WEEKS_BEFORE, week_start_of  # noqa: E402
from jiedao.triage.text import clean, words  # noqa: E402

DEFAULT_FILE = ROOT.parent / "shared" / "data" / "tipdm2020" / "hotspot_messages.xlsx"
COLUMNS = ("留言编号", "留言主题", "留言时间", "留言详情", "点赞数")
DATE_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d")


@dataclass(frozen=True)
class Message:
    number: str
    received: dt.datetime
    likes: int
    tokens: tuple[str, ...]


def parse_time(value: Any) -> dt.datetime | None:
    """A cell that is an Excel datetime or a string like 2019/2/1 10:53:47; None when neither."""
    if isinstance(value, dt.datetime):
        return value
    text = clean(value)
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def read(path: Path) -> tuple[list[Message], int, int]:
    """The messages (exact repeats of number, title and text kept once), the rows read and the rows dropped."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    rows = book.active.iter_rows(values_only=True) if book.active is not None else iter(())
    header = [clean(h) for h in next(rows)]
    where = {name: header.index(name) for name in COLUMNS}
    seen: set[tuple[str, str, str]] = set()
    messages: list[Message] = []
    read_rows = dropped = 0
    for row in rows:
        read_rows += 1
        title, content = clean(row[where["留言主题"]]), clean(row[where["留言详情"]])
        number = clean(row[where["留言编号"]])
        received = parse_time(row[where["留言时间"]])
        if received is None or (number, title, content) in seen:
            dropped += 1
            continue
        seen.add((number, title, content))
        likes = int(float(row[where["点赞数"]] or 0))
        messages.append(Message(number, received, likes, tuple(tokens_of(words(title), words(content)))))
    messages.sort(key=lambda m: (m.received, m.number))
    return messages, read_rows, dropped


def ranks(values: Sequence[float]) -> list[float]:
    """Ranks from 1, ties sharing their mean rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    result = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            result[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return result


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Spearman's rank correlation (Pearson's on the ranks); nan for fewer than three pairs."""
    if len(xs) < 3:
        return float("nan")
    rx, ry = ranks(xs), ranks(ys)
    mx, my = statistics.fmean(rx), statistics.fmean(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    var = (sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry)) ** 0.5
    return cov / var if var else float("nan")


def compare_with_likes(messages: Sequence[Message], groups: Sequence[Group], top: int) -> None:
    size_of = [1] * len(messages)
    for group in groups:
        for index in group.members:
            size_of[index] = group.size
    likes = [m.likes for m in messages]
    sizes = [g.size for g in groups]
    summed = [sum(likes[i] for i in g.members) for g in groups]
    print(f"spearman_size_vs_summed_likes={spearman(sizes, summed):.3f}  # clusters of size >= 2")
    big = [g for g in groups if g.size >= 3]
    big_likes = [sum(likes[i] for i in g.members) for g in big]
    print(f"spearman_size_vs_summed_likes_size3={spearman([g.size for g in big], big_likes):.3f}")
    most_liked = sorted(range(len(messages)), key=lambda i: (-likes[i], i))[:20]
    share = sum(1 for i in most_liked if size_of[i] >= 3) / len(most_liked)
    print(f"top20_liked_in_cluster_size3={share:.2f}")
    inside = [likes[i] for i in range(len(messages)) if size_of[i] >= 3]
    outside = [likes[i] for i in range(len(messages)) if size_of[i] < 3]
    print(f"likes_per_message_in_cluster_size3={statistics.fmean(inside):.2f}")
    print(f"likes_per_message_outside={statistics.fmean(outside):.2f}")
    print(f"median_likes_in_cluster_size3={statistics.median(inside):g}")
    print(f"median_likes_outside={statistics.median(outside):g}")
    by_likes = sorted(groups, key=lambda g: (-sum(likes[i] for i in g.members), g.members[0]))[:top]
    for rank, group in enumerate(by_likes, 1):
        liked = sum(likes[i] for i in group.members)
        print(f"most_liked_cluster_{rank}=size {group.size}, likes {liked}: {label_of(group.keywords)}")


def windows(messages: Sequence[Message]) -> None:
    """Group every five-week window (this week and the four before) as the product does for an office."""
    weeks = sorted({week_start_of(m.received) for m in messages})
    counts: list[int] = []
    clustered: list[float] = []
    seconds: list[float] = []
    for week in weeks[WEEKS_BEFORE:]:
        first = week - dt.timedelta(weeks=WEEKS_BEFORE)
        chosen = [m for m in messages if first <= week_start_of(m.received) <= week]
        if len(chosen) < 50:
            continue
        started = time.perf_counter()
        found = group_documents([m.tokens for m in chosen], min_size=3)
        seconds.append(time.perf_counter() - started)
        counts.append(len(found))
        clustered.append(sum(g.size for g in found) / len(chosen))
    if not counts:
        return
    print(f"windows_of_5_weeks={len(counts)}  # with at least 50 messages")
    print(f"window_clusters_size3_median={statistics.median(counts):g}")
    print(f"window_share_in_cluster_size3_median={statistics.median(clustered):.2f}")
    print(f"window_seconds_median={statistics.median(seconds):.3f}")
    print(f"window_seconds_max={max(seconds):.3f}")


def _alike(count: int) -> None:
    """Group `count` made-up demands of 25 words, each one word away from a common text, and print the figures."""
    rng = random.Random(0)
    text = [f"w{i}" for i in range(25)]
    documents = []
    for _ in range(count):
        words_ = list(text)
        words_[rng.randrange(len(words_))] = f"x{rng.randrange(50)}"
        documents.append(words_)
    started = time.perf_counter()
    groups = group_documents(documents)
    print(f"alike_demands={count} alike_groups={len(groups)} alike_largest={groups[0].size if groups else 0}")
    print(f"alike_seconds={time.perf_counter() - started:.2f}")
    print(f"alike_peak_memory_mb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--top", type=int, default=10, help="largest clusters to print (default %(default)s)")
    parser.add_argument("--alike", type=int, default=10_000, help="near-alike demands grouped (default %(default)s)")
    args = parser.parse_args(argv)
    if args.alike:
        worker = multiprocessing.get_context("spawn").Process(target=_alike, args=(args.alike,))
        worker.start()
        worker.join()
    if not args.file.exists():
        print(f"{args.file} is absent: nothing to measure (the contest data is not part of the repository)")
        return 0
    started = time.perf_counter()
    messages, read_rows, dropped = read(args.file)
    segmented = time.perf_counter()
    print(f"rows={read_rows}")
    print(f"messages={len(messages)}  # exact repeats and rows without a date dropped: {dropped}")
    print(f"period={messages[0].received:%Y-%m-%d}..{messages[-1].received:%Y-%m-%d}  # clustered as one corpus")
    print(f"read_and_segment_seconds={segmented - started:.2f}")
    groups = group_documents([m.tokens for m in messages], min_size=2)
    clustered = time.perf_counter()
    print(f"cluster_seconds={clustered - segmented:.2f}")
    for least in (2, 3, 5):
        print(f"clusters_size{least}={sum(1 for g in groups if g.size >= least)}")
    print(f"messages_in_cluster_size3={sum(g.size for g in groups if g.size >= 3)}")
    for rank, group in enumerate(groups[: args.top], 1):
        print(f"largest_cluster_{rank}=size {group.size}: {label_of(group.keywords)}")
    compare_with_likes(messages, groups, args.top)
    windows(messages)
    print(f"total_seconds={time.perf_counter() - started:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
