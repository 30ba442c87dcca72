"""Groups of similar demands, and the key words that name each group: pure, deterministic, on a CPU.

A demand is a list of words (jiedao.triage.text.words), its title's words repeated TITLE_WEIGHT times, as the title
says in a few words what the content says in many. The words are weighted by TF-IDF over the demands given
(sublinear term frequency, L2-normalised rows), so two demands are as similar as the cosine of their vectors.

Grouping is average-linkage agglomerative clustering cut at SIMILARITY_THRESHOLD: two groups merge only while the
mean similarity of all their pairs stays at or above the threshold, so every group found has a mean pairwise
similarity of at least the threshold. Measured on 4,326 real messages (bench/hotspots.py), single linkage (connected
components of the "similar enough" graph) chained unrelated demands through shared phrases into one group of 463 at
the same threshold; average linkage keeps the groups tight. Linkage runs separately on each connected component of
the threshold graph (exact: no pair across two components reaches the threshold, so neither can their mean), which
keeps the distance matrices small, and demands similar to no other never enter it; the graph itself is found a block
of rows at a time, so the similarity of all pairs is never held at once, and a component's distances are written
straight into the condensed half-matrix linkage reads.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import TfidfVectorizer

TITLE_WEIGHT = 2
# Measured on the real messages: 0.30 split one estate's complaints about a mixing plant in two, 0.20 let generic
# phrasing ("请加快…建设力度") gather unrelated demands; 0.25 kept the known topics whole and apart.
SIMILARITY_THRESHOLD = 0.25
# Rows of the similarity matrix computed at once (see _similar_pairs).
SIMILARITY_ROWS = 1024
MAX_KEYWORDS = 4
MIN_KEYWORDS = 2
# A key word after the first two must score at least this share of the best one, or the label gets vague.
KEYWORD_SHARE = 0.5


@dataclass(frozen=True)
class Group:
    """Indices of the demands in one group (ascending), and its key words, most telling first."""

    members: tuple[int, ...]
    keywords: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.members)


def tokens_of(title_words: Sequence[str], content_words: Sequence[str]) -> list[str]:
    """The words a demand is compared by: the title's TITLE_WEIGHT times, then the content's."""
    return [*title_words] * TITLE_WEIGHT + [*content_words]


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def _vectors(documents: Sequence[Sequence[str]]) -> sp.csr_matrix | None:
    """TF-IDF rows of the documents; None when no word occurs in two of them (nothing can be similar)."""
    vectorizer = TfidfVectorizer(analyzer=_identity, min_df=2, sublinear_tf=True, norm="l2", dtype=np.float64)
    try:
        matrix = vectorizer.fit_transform([list(d) for d in documents])
    except ValueError:  # an empty vocabulary
        return None
    return sp.csr_matrix(matrix)


def _components(vectors: sp.csr_matrix, threshold: float) -> np.ndarray:
    """The connected component of each demand in the graph of pairs at least `threshold` similar, found
    SIMILARITY_ROWS rows at a time: each block's pairs are joined to the components found so far (every demand
    linked to the first demand of its component), so only one block's pairs are ever held. Demands sharing common
    words make most pairs similar: the whole graph of 10,000 near-alike demands held 100 million pairs, 2.9 GB with
    the copy the component search makes."""
    count = vectors.shape[0]
    everyone = np.arange(count)
    root = everyone.copy()
    labels = everyone
    for start in range(0, count, SIMILARITY_ROWS):
        block = (vectors[start : start + SIMILARITY_ROWS] @ vectors.T).tocoo()
        similar = block.data >= threshold
        rows = np.concatenate([block.row[similar] + start, everyone])
        cols = np.concatenate([block.col[similar], root])
        graph = sp.csr_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(count, count))
        found, labels = connected_components(graph, directed=False)
        first = np.full(found, count)
        np.minimum.at(first, labels, everyone)
        root = first[labels]
    return labels


def _condensed_distances(members: sp.csr_matrix) -> np.ndarray:
    """The distance (1 − similarity, at least 0) of every pair i < j within a component, in the condensed order
    scipy's linkage reads, computed SIMILARITY_ROWS rows at a time: the n × n matrix is never held, only its half
    (n demands: n²/2 numbers, 400 MB at 10,000; the full matrix beside it took twice as much again)."""
    count = members.shape[0]
    condensed = np.empty(count * (count - 1) // 2, dtype=np.float64)
    at = 0
    for start in range(0, count, SIMILARITY_ROWS):
        block = (members[start : start + SIMILARITY_ROWS] @ members.T).toarray()
        for row, index in enumerate(range(start, start + block.shape[0])):
            width = count - index - 1
            condensed[at : at + width] = block[row, index + 1 :]
            at += width
    np.subtract(1.0, condensed, out=condensed)
    np.clip(condensed, 0.0, None, out=condensed)
    return condensed


def _average_linkage(condensed: np.ndarray, threshold: float) -> np.ndarray:
    """Flat cluster numbers (1..k) of an average-linkage tree over condensed distances, cut at threshold."""
    tree = linkage(condensed, method="average")
    # fcluster's cut keeps merges at distance <= t; a hair above 1 - threshold forgives rounding.
    return np.asarray(fcluster(tree, t=1.0 - threshold + 1e-9, criterion="distance"))


def group_documents(
    documents: Sequence[Sequence[str]],
    *,
    threshold: float = SIMILARITY_THRESHOLD,
    min_size: int = 2,
) -> list[Group]:
    """Group the documents (lists of words) whose mean pairwise cosine similarity reaches `threshold`.

    Returns the groups of at least `min_size` documents, largest first (ties: the earliest first member), each with
    its key words. The same documents in the same order always give the same groups."""
    vectors = _vectors(documents)
    if vectors is None:
        return []
    component = _components(vectors, threshold)
    by_component: dict[int, list[int]] = {}
    for index, number in enumerate(component.tolist()):
        by_component.setdefault(number, []).append(index)
    memberships: list[tuple[int, ...]] = []
    for indices in by_component.values():
        if len(indices) < max(min_size, 2):
            continue
        labels = _average_linkage(_condensed_distances(vectors[indices]), threshold)
        parts: dict[int, list[int]] = {}
        for index, label in zip(indices, labels.tolist(), strict=True):
            parts.setdefault(label, []).append(index)
        memberships.extend(tuple(sorted(p)) for p in parts.values() if len(p) >= min_size)
    memberships.sort(key=lambda m: (-len(m), m[0]))
    frequencies = _document_frequencies(documents)
    return [Group(m, keywords_of([documents[i] for i in m], frequencies, len(documents))) for m in memberships]


def _document_frequencies(documents: Sequence[Sequence[str]]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for document in documents:
        counts.update(set(document))
    return counts


def keywords_of(
    members: Sequence[Sequence[str]], frequencies: Counter[str], total: int, *, most: int = MAX_KEYWORDS
) -> tuple[str, ...]:
    """The group's key words by cluster-against-corpus weight: with p the share of the group's documents holding a
    word and q the share of all documents holding it, p × log(p / q), so a word every demand uses scores nothing and
    a word only this group uses scores most. Words of one letter, and words in only one of the group's documents,
    are left out while others exist."""
    inside: Counter[str] = Counter()
    occurrences: Counter[str] = Counter()
    for document in members:
        inside.update(set(document))
        occurrences.update(document)
    size = len(members)
    scored = []
    for word, count in inside.items():
        if count < 2 and size > 1:
            continue
        share = count / size
        lift = share * math.log(share * total / max(frequencies[word], count))
        if lift > 0:
            scored.append((lift, word))
    long_words = [item for item in scored if len(item[1]) > 1]
    # Equal scores (common in a small corpus): the word used more often wins, so a title's word (counted twice) first.
    ranked = sorted(long_words or scored, key=lambda item: (-item[0], -occurrences[item[1]], item[1]))
    if not ranked:
        return ()
    best = ranked[0][0]
    chosen = [
        word for rank, (score, word) in enumerate(ranked[:most]) if rank < MIN_KEYWORDS or score >= best * KEYWORD_SHARE
    ]
    return tuple(chosen)


def label_of(keywords: Sequence[str]) -> str:
    """The short label shown for a group: its key words joined by a middle dot."""
    return "·".join(keywords)
