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
keeps the dense distance matrices small, and demands similar to no other never enter it; the graph itself is found
a block of rows at a time, so the similarity of all pairs is never held at once.
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
from scipy.spatial.distance import squareform
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


def _similar_pairs(vectors: sp.csr_matrix, threshold: float) -> sp.csr_matrix:
    """The pairs of demands at least `threshold` similar, as a sparse boolean matrix, computed SIMILARITY_ROWS rows at
    a time: the whole similarity matrix holds every pair sharing a word (most pairs, as demands share common words)
    and took 3 GB at 10,000 demands of five weeks; only the pairs above the threshold are kept."""
    blocks = []
    for start in range(0, vectors.shape[0], SIMILARITY_ROWS):
        block = (vectors[start : start + SIMILARITY_ROWS] @ vectors.T).tocsr()
        blocks.append(block >= threshold)
    return sp.csr_matrix(sp.vstack(blocks, format="csr"))


def _dense_similarity(members: sp.csr_matrix) -> np.ndarray:
    """All pairs' similarity within a component, filled SIMILARITY_ROWS rows at a time (the sparse product of a
    large component at once holds its n² pairs a second time, with their indices)."""
    count = members.shape[0]
    dense = np.empty((count, count), dtype=np.float64)
    for start in range(0, count, SIMILARITY_ROWS):
        dense[start : start + SIMILARITY_ROWS] = (members[start : start + SIMILARITY_ROWS] @ members.T).toarray()
    return dense


def _average_linkage(similarity: np.ndarray, threshold: float) -> np.ndarray:
    """Flat cluster numbers (1..k) of an average-linkage tree over a dense similarity matrix (which it overwrites),
    cut at threshold."""
    # In place: a component of n demands holds n² numbers, and one more copy of them is what runs a worker short.
    distance = np.subtract(1.0, similarity, out=similarity)
    np.clip(distance, 0.0, None, out=distance)
    np.fill_diagonal(distance, 0.0)
    condensed = squareform(distance, checks=False)
    del distance, similarity
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
    _count, component = connected_components(_similar_pairs(vectors, threshold), directed=False)
    by_component: dict[int, list[int]] = {}
    for index, number in enumerate(component.tolist()):
        by_component.setdefault(number, []).append(index)
    memberships: list[tuple[int, ...]] = []
    for indices in by_component.values():
        if len(indices) < max(min_size, 2):
            continue
        labels = _average_linkage(_dense_similarity(vectors[indices]), threshold)
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
