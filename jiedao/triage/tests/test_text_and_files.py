"""Cleaning, segmentation and reading labelled files as real exports come."""

from __future__ import annotations

import csv

import pytest
from openpyxl import Workbook

from jiedao.triage import text
from jiedao.triage.classifier import LEAD_WORDS, Doc, prepare
from jiedao.triage.examples import ExamplesError, from_file, is_heldout, split


def test_clean_removes_the_noise_of_real_exports():
    assert text.clean("\n\t\t尊敬的领导：\u3000\u3000ＡＢＣ小区１２号\n\t") == "尊敬的领导: abc小区12号"
    assert text.clean(None) == ""
    assert len(text.clean("字" * 5000)) == text.MAX_CHARS


def test_words_segments_raw_text_and_drops_stop_words():
    words = text.words("尊敬的领导，幸福小区的路灯不亮了！")
    assert "小区" in words
    assert "的" not in words and "领导" not in words and "，" not in words


def test_a_segmented_column_is_split_not_segmented_again():
    tokens = "幸福 小区 路灯 不亮 晚上 漆黑"
    assert text.is_segmented(tokens)
    assert not text.is_segmented("幸福小区路灯不亮，晚上漆黑")
    assert text.words(tokens) == ["幸福", "小区", "路灯", "不亮", "晚上", "漆黑"]


def test_heldout_is_stable_and_about_a_fifth():
    keys = [f"case:{i}" for i in range(2000)]
    held = [k for k in keys if is_heldout(k)]
    assert held == [k for k in keys if is_heldout(k)]
    assert 300 < len(held) < 500


def _xlsx(path, rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_from_file_reads_xlsx_with_noisy_headers_and_subject_and_body(tmp_path):
    path = _xlsx(
        tmp_path / "msgs.xlsx",
        [
            ["留言编号", " 留言主题\n", "留言详情", "一级分类"],
            [1, "路灯不亮", "\n\t\t幸福小区路灯不亮", "城乡建设"],
            [None, None, None, None],
            [2, "噪音扰民", "工地夜间施工", "环境保护"],
        ],
    )
    found = from_file(path, text_cols=["留言主题", "留言详情"], label_col="一级分类")
    assert [(e.doc.subject, e.doc.body, e.label) for e in found] == [
        ("路灯不亮", "幸福小区路灯不亮", "城乡建设"),
        ("噪音扰民", "工地夜间施工", "环境保护"),
    ]
    train, held = split(found)
    assert len(train) + len(held) == 2


def test_from_file_reads_a_segmented_csv(tmp_path):
    path = tmp_path / "train.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["tokens", "label"])
        writer.writerow(["幸福 小区 路灯 不亮", "城乡建设"])
    (example,) = from_file(path, text_cols=["tokens"], label_col="label")
    assert (example.doc.subject, example.doc.body, example.label) == ("", "幸福 小区 路灯 不亮", "城乡建设")


def test_from_file_names_the_missing_column_and_the_columns_there_are(tmp_path):
    path = _xlsx(tmp_path / "m.xlsx", [["留言主题", "一级标签"], ["路灯", "城乡建设"]])
    with pytest.raises(ExamplesError) as excinfo:
        from_file(path, text_cols=["留言主题"], label_col="一级分类")
    assert "一级分类" in excinfo.value.message and "一级标签" in excinfo.value.message


def test_from_file_names_the_rows_without_a_label(tmp_path):
    path = _xlsx(tmp_path / "m.xlsx", [["留言主题", "一级分类"], ["路灯", "城乡建设"], ["噪音", None], ["垃圾", " "]])
    with pytest.raises(ExamplesError) as excinfo:
        from_file(path, text_cols=["留言主题"], label_col="一级分类")
    assert "3, 4" in excinfo.value.message


def test_from_file_refuses_other_formats_and_damaged_files(tmp_path):
    odd = tmp_path / "m.txt"
    odd.write_text("x")
    with pytest.raises(ExamplesError):
        from_file(odd, text_cols=["a"], label_col="b")
    broken = tmp_path / "m.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(ExamplesError):
        from_file(broken, text_cols=["a"], label_col="b")


def test_a_document_without_a_subject_takes_its_first_words_as_one():
    words = [f"词{i}" for i in range(LEAD_WORDS + 5)]
    lead = prepare(Doc("", " ".join(words), segmented=True))
    assert lead.subject_words == words[:LEAD_WORDS]
    assert lead.body_words == words
    titled = prepare(Doc("路灯 不亮", " ".join(words), segmented=True))
    assert titled.subject_words == ["路灯", "不亮"]
    assert titled.body_words == words


@pytest.mark.parametrize(
    "sentence",
    [
        "幸福小区3栋楼下的路灯不亮了，晚上漆黑一片",
        "a3区guest 123号 wifi信号差!!! 12345热线打不通",
        "尊敬的领导：我是k1区居民，反映物业费收费标准（2019年）问题。",
        "c++ & c#工程师 3.5%利率 a-b_c 鿏鿐 ①②",
        "南京市长江大桥 结婚的和尚未结婚的",
        "\u3000\u3000\n\t 空白 \r\n 换行",
        "",
    ],
)
def test_segment_cuts_exactly_as_jieba_does(sentence):
    assert text.segment(sentence) == text.tokenizer().lcut(sentence, HMM=False)
