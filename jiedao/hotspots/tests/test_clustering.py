"""The grouping of demands and their key words, on invented texts (pure: no database)."""

from __future__ import annotations

from jiedao.hotspots.clustering import group_documents, keywords_of, label_of, tokens_of
from jiedao.triage.text import words


def doc(title: str, content: str) -> list[str]:
    return tokens_of(words(title), words(content))


LAMPS = [
    doc("小区路灯不亮", "柳岸小区3号楼前路灯连续一周不亮，夜间出行不便。"),
    doc("路灯坏了", "柳岸小区5号楼门口的路灯不亮好几天了，晚上很黑。"),
    doc("路灯不亮", "小区东门路灯晚上不亮，希望尽快维修路灯。"),
]
GARBAGE = [
    doc("垃圾未清运", "小区门口垃圾桶满了三天没人清运，气味很大。"),
    doc("垃圾没人清运", "菜市场旁边垃圾堆放多日未清运，苍蝇很多。"),
    doc("垃圾清运不及时", "8号楼下垃圾桶满溢，清运不及时，气味难闻。"),
]
ALONE = [
    doc("咨询社保卡补办", "社保卡丢失，询问如何挂失补办需要什么材料。"),
    doc("楼上漏水", "楼上住户卫生间漏水，天花板渗水发霉。"),
]


def test_obviously_similar_demands_group_and_unrelated_ones_stay_apart():
    documents = [LAMPS[0], GARBAGE[0], ALONE[0], LAMPS[1], GARBAGE[1], LAMPS[2], ALONE[1], GARBAGE[2]]
    groups = group_documents(documents, min_size=2)
    assert sorted(g.members for g in groups) == [(0, 3, 5), (1, 4, 7)]


def test_labels_name_the_key_word_of_the_group():
    groups = group_documents([*LAMPS, *GARBAGE, *ALONE], min_size=3)
    labels = {g.members: label_of(g.keywords) for g in groups}
    assert "路灯" in labels[(0, 1, 2)]
    assert "垃圾" in labels[(3, 4, 5)] or "清运" in labels[(3, 4, 5)]
    for group in groups:
        assert 2 <= len(group.keywords) <= 4
        assert label_of(group.keywords) == "·".join(group.keywords)


def test_the_same_documents_give_the_same_groups():
    documents = [*GARBAGE, *ALONE, *LAMPS]
    assert group_documents(documents) == group_documents(list(documents))


def test_min_size_drops_small_groups_and_nothing_shared_gives_nothing():
    assert group_documents([*LAMPS[:2], *ALONE], min_size=3) == []
    assert group_documents([["甲"], ["乙"], ["丙"]]) == []
    assert group_documents([]) == []


def test_the_title_counts_more_than_the_content():
    assert tokens_of(["路灯"], ["小区"]) == ["路灯", "路灯", "小区"]


def test_key_words_prefer_what_sets_the_group_apart():
    from collections import Counter

    corpus = [["小区", "路灯"], ["小区", "路灯", "维修"], ["小区", "垃圾"], ["小区", "噪音"]]
    frequencies: Counter[str] = Counter()
    for document in corpus:
        frequencies.update(set(document))
    assert keywords_of(corpus[:2], frequencies, len(corpus)) == ("路灯",)  # 小区 is in every demand: no key word


def test_in_a_tiny_corpus_the_titles_word_leads_the_label():
    # Every word of these three demands scores alike against a corpus of four; the title's word is used most
    documents = [doc("电梯故障", f"{n}号楼电梯停运，老人下楼困难。") for n in (1, 2, 3)] + [
        doc("社保卡补办", "询问材料")
    ]
    [group] = group_documents(documents, min_size=3)
    assert group.keywords[0] == "电梯"
