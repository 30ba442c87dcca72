"""Invented demand texts for the triage tests: three problems, told in varied words at varied places."""

from __future__ import annotations

import random

PLACES = [
    "幸福小区",
    "和平路",
    "东风新村",
    "向阳街",
    "长青苑",
    "滨江花园",
    "建设路口",
    "光明巷",
    "人民公园旁",
    "新华里",
]
TOPICS: dict[str, tuple[list[str], list[str]]] = {
    "light": (
        ["路灯不亮", "路灯坏了", "楼道灯不亮", "照明灯损坏"],
        [
            "晚上一片漆黑，老人走路摔倒",
            "夜间出行很不安全，请尽快维修路灯",
            "灯杆倾斜灯泡不亮已经一周",
            "天黑后看不清台阶",
        ],
    ),
    "noise": (
        ["夜间施工噪音扰民", "广场舞噪音太大", "工地噪音", "商铺音响噪音扰民"],
        [
            "每天晚上十点以后还在施工，机器轰鸣无法入睡",
            "音响声音很大，孩子无法学习",
            "凌晨打桩噪音严重影响休息",
            "喇叭声吵得居民睡不着觉",
        ],
    ),
    "garbage": (
        ["垃圾堆积无人清运", "垃圾桶满了没人收", "建筑垃圾乱倒", "生活垃圾发臭"],
        [
            "垃圾已经堆了好几天，臭气熏天招苍蝇",
            "垃圾桶溢出满地都是，环卫没有来清运",
            "有人在路边倾倒建筑垃圾和渣土",
            "夏天垃圾发臭蚊蝇滋生",
        ],
    ),
}


def texts(label: str, n: int, *, seed: int = 0) -> list[tuple[str, str]]:
    """`n` (title, content) pairs about `label`, deterministic from the seed."""
    rng = random.Random(f"{label}-{seed}")
    titles, bodies = TOPICS[label]
    out = []
    for _ in range(n):
        place = rng.choice(PLACES)
        out.append((f"{place}{rng.choice(titles)}", f"{place}{rng.choice(bodies)}，{rng.choice(bodies)}。"))
    return out
