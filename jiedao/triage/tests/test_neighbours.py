from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from jiedao.triage.features import char_keys
from jiedao.triage.neighbours import SvmWithNeighbours


def _rows(*rows: list[float]) -> sp.csr_matrix:
    matrix = np.array(rows, dtype=np.float64)
    return sp.csr_matrix(matrix / np.linalg.norm(matrix, axis=1, keepdims=True))


def test_char_keys_hold_each_character_pair_and_triple_once_apart():
    keys = char_keys("排水沟")
    # 3 characters, 2 pairs, 1 triple, and no two kinds of n-gram share a key
    assert len(keys) == 6 and len(set(keys.tolist())) == 6
    assert len(char_keys("水")) == 1 and len(char_keys("")) == 0


def test_neighbour_votes_go_to_the_class_of_the_nearest_documents():
    # Given three documents of class a and three of class b, each pair of classes on its own features
    train = _rows([1, 1, 0, 0], [1, 0, 1, 0], [1, 1, 1, 0], [0, 0, 1, 1], [0, 0, 0, 1], [0, 1, 0, 1])
    model = SvmWithNeighbours(neighbours=2, max_df=1.0).fit(train, ["a", "a", "a", "b", "b", "b"])
    # When a document repeats a training document of class b
    votes = model.neighbour_votes(_rows([0, 0, 1, 1]))
    # Then its nearest neighbours vote for b, and b wins
    assert votes[0, 1] > votes[0, 0]
    assert list(model.predict(_rows([0, 0, 1, 1], [1, 1, 0, 0]))) == ["b", "a"]


def test_more_neighbours_than_training_documents_and_many_classes_are_fine():
    train = _rows([1, 0, 0], [0, 1, 0], [0, 0, 1])
    model = SvmWithNeighbours(neighbours=10, max_df=1.0).fit(train, ["x", "y", "z"])
    scores = model.decision_function(_rows([0, 1, 0]))
    assert scores.shape == (1, 3) and int(np.argmax(scores)) == 1
