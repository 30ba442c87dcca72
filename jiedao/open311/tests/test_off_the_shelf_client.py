"""An off-the-shelf Open311 client against a live server: the `georeport` package from PyPI reads (JSON and XML,
with xmltodict), and a POST is sent over plain HTTP exactly as the spec's example does (form-encoded, api_key in
the body), answered in XML and read with a real parser."""

import urllib.error
import urllib.parse
import urllib.request

import pytest
from defusedxml import ElementTree  # type: ignore[import-untyped]
from georeport import GeoReport  # type: ignore[import-untyped]

pytestmark = pytest.mark.django_db(transaction=True)


def _post(url, fields):
    data = urllib.parse.urlencode(fields).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST")  # noqa: S310 (the live server on localhost)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (the live server on localhost)
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def test_a_georeport_client_reads_what_a_spec_post_wrote(live_server, world, tree, open311_source, now):
    base = f"{live_server.url}/open311/v2"
    as_json = GeoReport(base, jurisdiction=world.office.code)
    as_xml = GeoReport(base, jurisdiction=world.office.code, output_format="xml")

    # Given the service list and a definition, as a client app shows them
    services = as_json.get_service_list()
    lamp = next(s for s in services if s["service_name"] == "路灯")
    assert {s["service_code"] for s in as_xml.get_service_list()} == {s["service_code"] for s in services}
    definition = as_xml.get_service_definition(lamp["service_code"])
    assert definition["service_code"] == lamp["service_code"]
    kinds = [a for a in definition["attributes"]["attribute"] if a["code"] == "request_type"]
    assert [v["key"] for v in kinds[0]["values"]["value"]][:2] == ["consultation", "help"]

    # When a resident's app posts a request as the spec's example does
    status, content_type, body = _post(
        f"{base}/requests.xml",
        {
            "api_key": open311_source.raw_key,
            "jurisdiction_id": world.office.code,
            "service_code": lamp["service_code"],
            "lat": "30.005",
            "long": "120.005",
            "email": "smith@example.com",
            "first_name": "John",
            "last_name": "Smith",
            "phone": "13900139000",
            "description": "路灯不亮 (a light is out)",
            "attribute[request_type]": "help",
        },
    )
    assert (status, content_type) == (200, "text/xml; charset=utf-8")
    created = ElementTree.fromstring(body).find("request")
    number, token = created.findtext("service_request_id"), created.findtext("token")
    assert number.startswith("JD2026-")

    # Then the client finds it, in the list and alone, in both formats, without any personal data
    listed = as_json.get_service_requests(status="open", service_code=lamp["service_code"])
    assert [r["service_request_id"] for r in listed] == [number]
    one = as_json.get_service_request(number)
    assert (one["status"], one["service_name"], one["description"]) == ("open", "路灯", "路灯不亮 (a light is out)")
    assert one["requested_datetime"] == "2026-11-23T10:00:00+08:00"
    in_xml = as_xml.get_service_request(number)
    assert (in_xml["service_request_id"], in_xml["status"], in_xml["lat"]) == (number, "open", "30.005")
    assert as_xml.get_service_requests(service_request_id=number)["service_request_id"] == number
    for row in (one, in_xml):
        assert not {"Smith", "John", "13900139000", "smith@example.com"} & {str(v) for v in row.values()}
    with urllib.request.urlopen(f"{base}/tokens/{token}.json", timeout=30) as response:  # noqa: S310
        assert b'"service_request_id":"' + number.encode() in response.read()

    # And a POST without a key is refused in the spec's error format
    status, content_type, body = _post(f"{base}/requests.xml", {"service_code": lamp["service_code"]})
    assert (status, content_type) == (403, "text/xml; charset=utf-8")
    assert ElementTree.fromstring(body).findtext("error/code") == "403"
