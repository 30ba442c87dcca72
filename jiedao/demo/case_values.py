"""What a planned case says: its registration fields and the unit's result in the words of its template, and the
resident's ratings at the callback."""

from __future__ import annotations

import random
import re
from typing import Any

from jiedao.cases.choices import Channel, Satisfaction
from jiedao.demo import case_texts as texts
from jiedao.demo import names
from jiedao.demo.case_plan import Plan


def case_values(plan: Plan, rng: random.Random) -> dict[str, Any]:
    """The registration fields of a plan in the words of its template (title, content, place, reporter), the
    unit's result and what the grid worker writes when he fixes it on the spot."""
    building, grid = plan.building, plan.grid
    found = re.match(r"^(\D+?)(\d+)号", building.address)
    road, number = (found.group(1), found.group(2)) if found else (rng.choice(names.ROADS), str(rng.randint(1, 300)))
    slots = {
        "office": plan.office.place.name,
        "community": grid.community.name,
        "building": building.name,
        "estate": re.sub(r"\d+(幢|号楼)$", "", building.name),
        "unit_no": f"{rng.randint(1, 2)}单元",
        "room": f"{rng.randint(1, max(building.floors, 1))}0{rng.randint(1, 2)}室",
        "road": road,
        "near": f"{grid.place.dedicated_to}门口" if grid.place.dedicated_to else f"{road}{number}号附近",
        "who": rng.choice(texts.WHO),
        "when": rng.choice(texts.WHEN),
        "night": rng.choice(texts.NIGHT),
        "days": rng.choice(texts.DAYS),
    }
    template = plan.template
    case: dict[str, Any] = {
        "title": rng.choice(template.titles).format_map(slots),
        "content": rng.choice(template.contents).format_map(slots),
    }
    if template.where == texts.HOME:  # a question of a resident: where he lives, no point on the map
        case["place"] = grid.place if plan.channel == Channel.GRID else grid.community
        case["address"] = f"{building.address}{slots['unit_no']}" if plan.channel == Channel.GRID else ""
    else:
        case["lng"], case["lat"] = building.lng, building.lat
        case["address"] = f"{building.address}{slots['unit_no']}" if template.where == texts.BUILDING else slots["near"]
    patrol = plan.channel == Channel.GRID and template.patrol  # found on patrol: nobody to call back
    given = "".join(rng.choice(names.GIVEN) for _ in range(rng.choice([1, 2, 2])))
    case["reporter_name"] = "" if patrol else rng.choice(names.SURNAMES) + given
    # 100 is not a mobile prefix in China: no demo number can reach a real person.
    case["reporter_phone"] = "" if patrol else f"100{rng.randint(10_000_000, 99_999_999)}"
    case["confidential"] = plan.request_type == "report" and rng.random() < 0.3
    spot = rng.choice(template.spot).format_map(slots) if template.spot else ""
    return {"case": case, "result": rng.choice(template.results).format_map(slots), "spot": spot}


def rating(rng: random.Random, result: str | None = None) -> tuple[str, str, bool]:
    """(process, result, resolved) of a callback with `result`, or with a result drawn 70 / 25 / 5 (after rework,
    or for the resident of a merged repeat)."""
    if result is None:
        draw = rng.random()
        result = (
            Satisfaction.DISSATISFIED
            if draw >= 0.95
            else Satisfaction.BASICALLY
            if draw >= 0.7
            else Satisfaction.SATISFIED
        )
    process = result if rng.random() < 0.8 or result == Satisfaction.SATISFIED else Satisfaction.BASICALLY
    resolved = result == Satisfaction.SATISFIED or (result == Satisfaction.BASICALLY and rng.random() < 0.85)
    return process, result, resolved
