"""GET requests and GET requests/{id}: the public feed, its filters, its window, its privacy, in both formats."""

import datetime as dt

import pytest

from jiedao.cases import services
from jiedao.cases.choices import NotAcceptedReason, RequestType
from jiedao.open311.tests.conftest import json_of, register, xml_of, xml_rows

FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


@pytest.fixture
def feed(world, tree, dispatcher, other_office_dispatcher, now):
    """Cases of office 甲 (one dispatched, one refused, one secret, one 举报, one old) and one of office 乙."""
    lamp = register(dispatcher, category=tree["路灯"], content="路灯不亮，请回电13800138000，身份证11010519491231002X")
    services.case_accept(case_id=lamp.pk, actor=dispatcher)
    services.case_dispatch(case_id=lamp.pk, actor=dispatcher, unit_id=world.unit_urban.pk)
    now.advance(hours=1)
    road = register(dispatcher, category=tree["道路"], title="路面塌陷", content="路面塌了一个坑", lng="120.015")
    services.case_reject(case_id=road.pk, actor=dispatcher, reason=NotAcceptedReason.OUTSIDE_DUTY)
    now.advance(hours=1)
    secret = register(dispatcher, category=tree["路灯"], confidential=True, content="保密的诉求")
    whistle = register(dispatcher, category=tree["路灯"], request_type=RequestType.REPORT, content="举报某人")
    old = register(
        dispatcher, category=tree["低保"], content="很久以前的诉求", received_at=now.moment - dt.timedelta(days=100)
    )
    far = register(other_office_dispatcher, category=tree["环境卫生"], content="乙街道的垃圾", lng="120.035")
    return {"lamp": lamp, "road": road, "secret": secret, "whistle": whistle, "old": old, "far": far}


def numbers(rows):
    return [row["service_request_id"] for row in rows]


def test_the_feed_lists_public_cases_of_the_last_90_days_newest_first(client, feed):
    rows = json_of(client.get("/open311/v2/requests.json"))
    assert [(r["service_request_id"], r["description"]) for r in rows] == [
        (feed["far"].number, "乙街道的垃圾"),
        (feed["road"].number, "路面塌了一个坑"),
        (feed["lamp"].number, "路灯不亮，请回电138****8000，身份证110105********002X"),
    ]
    assert all(list(row) == FIELDS for row in rows)


def test_a_row_holds_public_fields_only_with_times_in_shanghai(client, feed, world, tree):
    rows = json_of(client.get("/open311/v2/requests.json", {"jurisdiction_id": world.office.code}))
    lamp = next(r for r in rows if r["service_request_id"] == feed["lamp"].number)
    case = feed["lamp"]
    case.refresh_from_db()
    assert lamp["status"] == "open"
    assert lamp["status_notes"] == "已派单待签收"
    assert (lamp["service_code"], lamp["service_name"]) == (tree["路灯"].code, "路灯")
    assert lamp["agency_responsible"] == "甲城管科"
    assert lamp["requested_datetime"] == "2026-11-23T10:00:00+08:00"
    assert lamp["expected_datetime"].endswith("+08:00")
    assert dt.datetime.fromisoformat(lamp["expected_datetime"]) == case.finish_deadline
    assert lamp["updated_datetime"].endswith("+08:00")
    assert lamp["address"] == "望湖路12号*栋*单元***室"
    assert (lamp["lat"], lamp["long"]) == (30.005, 120.005)
    assert lamp["media_url"] is None


def test_no_personal_data_in_any_response(client, feed, world):
    for path in (
        "/open311/v2/requests.json",
        "/open311/v2/requests.xml",
        f"/open311/v2/requests/{feed['lamp'].number}.xml",
    ):
        body = client.get(path).content.decode("utf-8")
        for secret in ("李四", "13800138000", "138-0013", "11010519491231002X", "3栋2单元501"):
            assert secret not in body, (path, secret)


def test_confidential_cases_and_reports_of_wrongdoing_are_absent_everywhere(client, feed):
    listed = numbers(json_of(client.get("/open311/v2/requests.json")))
    for key in ("secret", "whistle"):
        number = feed[key].number
        assert number not in listed
        assert number not in numbers(json_of(client.get("/open311/v2/requests.json", {"service_request_id": number})))
        assert client.get(f"/open311/v2/requests/{number}.json").status_code == 404
        assert client.get(f"/open311/v2/requests/{number}.xml").status_code == 404


def test_the_feed_in_xml_is_the_same_rows(client, feed):
    as_json = json_of(client.get("/open311/v2/requests.json"))
    root = xml_of(client.get("/open311/v2/requests.xml"))
    assert root.tag == "service_requests"
    assert all(child.tag == "request" for child in root)
    rows = xml_rows(root)
    assert numbers(rows) == numbers(as_json)
    for row, expected in zip(rows, as_json, strict=True):
        assert list(row) == FIELDS
        assert row["description"] == expected["description"]
        assert row["lat"] == str(expected["lat"])
        assert row["address_id"] == ""


def test_status_filter_and_notes_of_a_refused_case(client, feed):
    closed = json_of(client.get("/open311/v2/requests.json", {"status": "closed"}))
    assert numbers(closed) == [feed["road"].number]
    assert closed[0]["status_notes"] == "已办结 · 不予受理"
    opened = numbers(json_of(client.get("/open311/v2/requests.json", {"status": "open"})))
    assert opened == [feed["far"].number, feed["lamp"].number]
    both = numbers(json_of(client.get("/open311/v2/requests.json", {"status": "open,closed"})))
    assert len(both) == 3
    response = client.get("/open311/v2/requests.json", {"status": "pending"})
    assert response.status_code == 400
    assert "pending" in json_of(response)[0]["description"]


def test_a_merged_case_reports_the_status_of_the_case_it_was_merged_into(client, feed, dispatcher, now):
    repeat = register(dispatcher, content="同一盏路灯又坏了")
    services.case_merge(case_id=repeat.pk, into_id=feed["lamp"].pk, actor=dispatcher)
    rows = {r["service_request_id"]: r for r in json_of(client.get("/open311/v2/requests.json"))}
    assert rows[repeat.number]["status"] == "open"  # its own state is closed (merged), the main case is open
    assert feed["lamp"].number in rows[repeat.number]["status_notes"]
    assert repeat.number in numbers(json_of(client.get("/open311/v2/requests.json", {"status": "open"})))
    assert repeat.number not in numbers(json_of(client.get("/open311/v2/requests.json", {"status": "closed"})))


def test_service_code_filter_takes_a_list_and_whole_subtrees(client, feed, tree):
    lamp_only = json_of(client.get("/open311/v2/requests.json", {"service_code": tree["路灯"].code}))
    assert numbers(lamp_only) == [feed["lamp"].number]
    subtree = json_of(client.get("/open311/v2/requests.json", {"service_code": tree["市政设施"].code}))
    assert numbers(subtree) == [feed["road"].number, feed["lamp"].number]
    listed = json_of(
        client.get("/open311/v2/requests.json", {"service_code": f"{tree['道路'].code},{tree['环境卫生'].code}"})
    )
    assert numbers(listed) == [feed["far"].number, feed["road"].number]
    assert json_of(client.get("/open311/v2/requests.json", {"service_code": "99"})) == []


def test_the_window_defaults_to_90_days_and_may_be_moved(client, feed, now):
    old = feed["old"].number
    assert old not in numbers(json_of(client.get("/open311/v2/requests.json")))
    window = {"start_date": "2026-08-01T00:00:00+08:00", "end_date": "2026-09-01T00:00:00Z"}
    assert numbers(json_of(client.get("/open311/v2/requests.json", window))) == [old]
    assert numbers(json_of(client.get("/open311/v2/requests.json", {"start_date": "2026-08-01"}))) == [old]
    assert numbers(json_of(client.get("/open311/v2/requests.json", {"end_date": "2026-09-01T00:00:00"}))) == [old]
    # A "+" sent unencoded arrives as a space.
    spaced = client.get("/open311/v2/requests.json?start_date=2026-08-01T00:00:00 08:00&end_date=2026-09-01")
    assert numbers(json_of(spaced)) == [old]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "90"),
        ({"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-05-01T00:00:00Z"}, "end_date"),
        ({"start_date": "last tuesday"}, "start_date"),
        ({"end_date": "2026-13-01"}, "end_date"),
        ({"page_size": "1001"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"page": "x"}, "page"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_filters_are_400_errors_naming_the_parameter(client, feed, query, words, fmt):
    response = client.get(f"/open311/v2/requests.{fmt}", query)
    assert response.status_code == 400
    if fmt == "json":
        (error,) = json_of(response)
        assert (error["code"], words in error["description"]) == (400, True)
    else:
        root = xml_of(response)
        assert root.findtext("error/code") == "400"
        assert words in root.findtext("error/description")


def test_service_request_ids_override_every_other_filter(client, feed):
    wanted = f"{feed['old'].number}, {feed['road'].number}"
    rows = json_of(client.get("/open311/v2/requests.json", {"service_request_id": wanted, "status": "open"}))
    assert numbers(rows) == [feed["road"].number, feed["old"].number]


def test_jurisdiction_scopes_the_feed_to_one_office(client, feed, world):
    mine = numbers(json_of(client.get("/open311/v2/requests.json", {"jurisdiction_id": world.office.code})))
    assert mine == [feed["road"].number, feed["lamp"].number]
    theirs = numbers(json_of(client.get("/open311/v2/requests.json", {"jurisdiction_id": world.other_office.code})))
    assert theirs == [feed["far"].number]
    assert client.get("/open311/v2/requests.json", {"jurisdiction_id": world.community_a.code}).status_code == 404


def test_paging(client, feed):
    first = numbers(json_of(client.get("/open311/v2/requests.json", {"page_size": "2"})))
    second = numbers(json_of(client.get("/open311/v2/requests.json", {"page_size": "2", "page": "2"})))
    assert first == [feed["far"].number, feed["road"].number]
    assert second == [feed["lamp"].number]
    assert json_of(client.get("/open311/v2/requests.json", {"page_size": "2", "page": "3"})) == []


def test_one_request_in_both_formats(client, feed):
    number = feed["road"].number
    (row,) = json_of(client.get(f"/open311/v2/requests/{number}.json"))
    assert (row["service_request_id"], row["status"]) == (number, "closed")
    root = xml_of(client.get(f"/open311/v2/requests/{number}.xml"))
    assert root.tag == "service_requests"
    assert xml_rows(root)[0]["status"] == "closed"
    missing = client.get("/open311/v2/requests/JD2026-999999.xml")
    assert missing.status_code == 404
    assert "JD2026-999999" in xml_of(missing).findtext("error/description")


def test_numbers_repeat_across_offices_and_the_jurisdiction_tells_them_apart(client, feed, world):
    number = feed["lamp"].number
    assert feed["far"].number == number  # each office numbers its own cases
    both = json_of(client.get(f"/open311/v2/requests/{number}.json"))
    assert [r["description"] for r in both] == [
        feed["lamp"].content.replace("13800138000", "138****8000").replace("11010519491231002X", "110105********002X"),
        "乙街道的垃圾",
    ]
    (theirs,) = json_of(client.get(f"/open311/v2/requests/{number}.json", {"jurisdiction_id": world.other_office.code}))
    assert theirs["description"] == "乙街道的垃圾"


def test_the_feed_costs_the_same_queries_for_one_case_or_many(client, feed, dispatcher, django_assert_num_queries):
    with django_assert_num_queries(1):
        client.get("/open311/v2/requests.json")
    for n in range(5):
        register(dispatcher, content=f"又一件 {n}")
    with django_assert_num_queries(1):
        rows = json_of(client.get("/open311/v2/requests.json"))
    assert len(rows) == 8
