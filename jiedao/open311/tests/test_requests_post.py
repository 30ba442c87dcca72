"""POST requests (api_key, lat/long or address, attributes) and GET tokens/{token}."""

import pytest
from django.test import Client

from jiedao.cases.choices import Channel, RequestType, State
from jiedao.cases.models import Case, CaseEvent
from jiedao.integrations.choices import SourceKind
from jiedao.integrations.services import source_create
from jiedao.open311.models import SubmittedRequest
from jiedao.open311.tests.conftest import json_of, xml_of


@pytest.fixture
def form(open311_source, tree):
    return {
        "api_key": open311_source.raw_key,
        "service_code": tree["路灯"].code,
        "lat": "30.005",
        "long": "120.005",
        "description": "望湖路口的路灯不亮了\n已经三天",
        "first_name": "三",
        "last_name": "张",
        "phone": "13900139000",
        "email": "zhangsan@example.com",
        "account_id": "user-42",
        "device_id": "phone-7",
    }


def post(client, data, fmt="json"):
    return client.post(f"/open311/v2/requests.{fmt}", data)


def test_post_registers_a_case_in_the_grid_of_the_point(client, form, open311_source, world, tree, now):
    response = post(client, form)
    assert response.status_code == 200
    (row,) = json_of(response)
    case = Case.objects.get()
    submitted = SubmittedRequest.objects.get()
    assert row == {
        "service_request_id": case.number,
        "token": submitted.token,
        "service_notice": row["service_notice"],
        "account_id": "user-42",
    }
    assert case.number in row["service_notice"]
    assert (case.grid, case.office, case.channel) == (world.grid_a1, world.office, Channel.WECHAT)
    assert (case.category, case.request_type, case.state) == (tree["路灯"], RequestType.HELP, State.REGISTERED)
    assert (case.title, case.content) == ("望湖路口的路灯不亮了", "望湖路口的路灯不亮了\n已经三天")
    assert (case.reporter_name, case.reporter_phone, case.confidential) == ("张三", "13900139000", False)
    assert case.created_by == open311_source.service_user
    assert CaseEvent.objects.filter(case=case, action="register", actor=open311_source.service_user).exists()
    assert (submitted.case, submitted.source, submitted.device_id) == (case, open311_source, "phone-7")


def test_post_in_xml_answers_in_xml(client, form):
    root = xml_of(post(client, form, "xml"))
    assert root.tag == "service_requests"
    request = root.find("request")
    assert request.findtext("service_request_id") == Case.objects.get().number
    assert request.findtext("token") == SubmittedRequest.objects.get().token
    assert request.findtext("account_id") == "user-42"


def test_an_address_alone_leaves_the_case_at_the_office(client, form, world):
    del form["lat"], form["long"]
    form["address_string"] = "望湖路88号"
    assert post(client, form).status_code == 200
    case = Case.objects.get()
    assert (case.office, case.community, case.grid, case.address) == (world.office, None, None, "望湖路88号")


def test_attributes_set_the_type_title_and_secrecy(client, form):
    form.update(
        {
            "attribute[request_type]": "consultation",
            "attribute[title]": "路灯维修要多久",
            "attribute[confidential]": "true",
        }
    )
    (row,) = json_of(post(client, form))
    case = Case.objects.get()
    assert (case.request_type, case.title, case.confidential) == (RequestType.CONSULTATION, "路灯维修要多久", True)
    # A secret request is not in the public feed, not even for the client that sent it; its token still maps.
    assert client.get(f"/open311/v2/requests/{row['service_request_id']}.json").status_code == 404
    (mapped,) = json_of(client.get(f"/open311/v2/tokens/{row['token']}.json"))
    assert mapped == {"service_request_id": case.number, "token": row["token"]}


def test_a_photo_url_is_noted_on_the_case_and_shown_in_the_feed(client, form):
    form["media_url"] = "https://img.example.com/lamp.jpg"
    (row,) = json_of(post(client, form))
    case = Case.objects.get()
    note = CaseEvent.objects.get(case=case, action="note")
    assert "https://img.example.com/lamp.jpg" in note.note
    (shown,) = json_of(client.get(f"/open311/v2/requests/{row['service_request_id']}.json"))
    assert shown["media_url"] == "https://img.example.com/lamp.jpg"
    assert (shown["status"], shown["service_name"]) == ("open", "路灯")
    assert "张三" not in str(shown) and "13900139000" not in str(shown) and "example.com/lamp" in str(shown)


def test_a_photo_without_words_is_enough(client, form):
    del form["description"]
    form["media_url"] = "https://img.example.com/lamp.jpg"
    assert post(client, form).status_code == 200
    case = Case.objects.get()
    assert "https://img.example.com/lamp.jpg" in case.content
    assert case.title == "路灯"


def test_post_needs_no_csrf_token(form):
    assert post(Client(enforce_csrf_checks=True), form).status_code == 200


@pytest.mark.parametrize(
    ("api_key", "words"), [(None, "api_key"), ("", "api_key"), ("jd_0123456789_" + "0" * 48, "api_key")]
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_missing_or_wrong_api_key_is_403_and_writes_nothing(client, form, api_key, words, fmt):
    if api_key is None:
        del form["api_key"]
    else:
        form["api_key"] = api_key
    response = post(client, form, fmt)
    assert response.status_code == 403
    description = (
        json_of(response)[0]["description"] if fmt == "json" else xml_of(response).findtext("error/description")
    )
    assert words in description
    assert not Case.objects.exists()


def test_a_key_of_another_kind_of_source_is_refused(client, form, world):
    _police, raw_key = source_create(
        name="派出所", code="police", kind=SourceKind.POLICE, channel=Channel.DEPARTMENT, office=world.office
    )
    form["api_key"] = raw_key
    assert post(client, form).status_code == 403
    assert not Case.objects.exists()


def test_an_inactive_source_is_refused(client, form, open311_source):
    open311_source.active = False
    open311_source.save()
    assert post(client, form).status_code == 403


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"service_code": None}, 400, "service_code"),
        ({"service_code": "9999"}, 404, "9999"),
        ({"lat": None, "long": None}, 400, "address_string"),
        ({"lat": None, "long": None, "address_id": "77"}, 400, "address_id"),
        ({"long": None}, 400, "long"),
        ({"lat": "north", "long": "120.005"}, 400, "long"),
        ({"lat": "95", "long": "120.005"}, 400, "lat"),
        ({"description": "长" * 4001}, 400, "description"),
        ({"description": ""}, 400, "description"),
        ({"media_url": "ftp://x/y.jpg"}, 400, "media_url"),
        ({"attribute[request_type]": "gossip"}, 400, "attribute[request_type]"),
        ({"attribute[colour]": "red"}, 400, "attribute[colour]"),
        ({"attribute[confidential]": "maybe"}, 400, "attribute[confidential]"),
        ({"attribute[title]": "题" * 201}, 400, "attribute[title]"),
        ({"phone": "call me"}, 400, "phone"),
    ],
)
def test_bad_input_is_refused_by_name_and_writes_nothing(client, form, change, status, words):
    for key, value in change.items():
        if value is None:
            form.pop(key, None)
        else:
            form[key] = value
    response = post(client, form)
    assert response.status_code == status
    (error,) = json_of(response)
    assert error["code"] == status
    assert words in error["description"]
    assert not Case.objects.exists()
    assert not SubmittedRequest.objects.exists()


def test_a_point_in_another_office_is_refused_with_403(client, form, world):
    form["long"] = "120.035"  # grid C1, office 乙
    response = post(client, form)
    assert response.status_code == 403
    assert world.office.name in json_of(response)[0]["description"]
    assert not Case.objects.exists()


def test_jurisdiction_must_be_the_sources_office(client, form, world):
    assert post(client, {**form, "jurisdiction_id": world.other_office.code}).status_code == 403
    assert post(client, {**form, "jurisdiction_id": "330199999000"}).status_code == 404
    assert not Case.objects.exists()
    assert post(client, {**form, "jurisdiction_id": world.office.code}).status_code == 200


def test_posts_are_rate_limited_per_source(client, form, open311_source, now):
    open311_source.rate_limit_per_minute = 2
    open311_source.save()
    assert [post(client, form).status_code for _ in range(2)] == [200, 200]
    refused = post(client, form, "xml")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert xml_of(refused).findtext("error/code") == "429"
    assert Case.objects.count() == 2


def test_tokens_map_to_the_request_in_both_formats(client, form, world):
    (row,) = json_of(post(client, form))
    root = xml_of(client.get(f"/open311/v2/tokens/{row['token']}.xml"))
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id") == row["service_request_id"]
    assert root.findtext("request/token") == row["token"]
    assert (
        client.get(f"/open311/v2/tokens/{row['token']}.json", {"jurisdiction_id": world.office.code}).status_code == 200
    )
    other = client.get(f"/open311/v2/tokens/{row['token']}.json", {"jurisdiction_id": world.other_office.code})
    assert other.status_code == 404
    unknown = client.get("/open311/v2/tokens/nope.json")
    assert (unknown.status_code, json_of(unknown)[0]["code"]) == (404, 404)
