"""Discovery, the service list and service definitions, in both formats."""

import pytest

from jiedao.cases.choices import RequestType
from jiedao.open311.tests.conftest import json_of, xml_of


def test_discovery_names_the_v2_endpoint_and_both_formats(client, db):
    data = json_of(client.get("/open311/v2/discovery.json"))
    (endpoint,) = data["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert data["changeset"].endswith("+08:00")

    root = xml_of(client.get("/open311/discovery.xml"))
    assert root.tag == "discovery"
    assert root.findtext("endpoints/endpoint/url") == "http://testserver/open311/v2"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]
    assert root.findtext("contact")


def test_services_are_the_leaf_categories_grouped_by_level_one(client, tree):
    services = json_of(client.get("/open311/v2/services.json"))
    by_name = {s["service_name"]: s for s in services}
    assert set(by_name) == {"路灯", "道路", "环境卫生", "低保"}  # 环境卫生 is a level-2 leaf
    lamp = by_name["路灯"]
    assert lamp == {
        "service_code": tree["路灯"].code,
        "service_name": "路灯",
        "description": "城乡建设 › 市政设施 › 路灯",
        "metadata": True,
        "type": "realtime",
        "keywords": "城乡建设,市政设施,路灯,ld",
        "group": "城乡建设",
    }
    assert by_name["低保"]["group"] == "民生服务"


def test_services_in_xml_are_service_elements(client, tree):
    root = xml_of(client.get("/open311/v2/services.xml"))
    assert root.tag == "services"
    rows = {s.findtext("service_name"): s for s in root.findall("service")}
    assert len(rows) == 4
    lamp = rows["路灯"]
    assert lamp.findtext("service_code") == tree["路灯"].code
    assert lamp.findtext("metadata") == "true"
    assert lamp.findtext("type") == "realtime"
    assert lamp.findtext("group") == "城乡建设"


def test_inactive_categories_are_not_offered(client, tree):
    tree["市政设施"].is_active = False
    tree["市政设施"].save()
    names = {s["service_name"] for s in json_of(client.get("/open311/v2/services.json"))}
    assert names == {"环境卫生", "低保"}
    assert client.get(f"/open311/v2/services/{tree['路灯'].code}.json").status_code == 404


def test_service_definition_offers_the_request_type_as_a_single_value_list(client, tree):
    code = tree["路灯"].code
    data = json_of(client.get(f"/open311/v2/services/{code}.json"))
    assert data["service_code"] == code
    by_code = {a["code"]: a for a in data["attributes"]}
    assert set(by_code) == {"request_type", "title", "confidential"}
    kind = by_code["request_type"]
    assert (kind["datatype"], kind["required"], kind["variable"], kind["order"]) == ("singlevaluelist", False, True, 1)
    assert [v["key"] for v in kind["values"]] == list(RequestType.values)
    assert by_code["title"]["datatype"] == "string"

    root = xml_of(client.get(f"/open311/v2/services/{code}.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == code
    attribute = root.find("attributes/attribute[code='request_type']")
    assert attribute.findtext("datatype") == "singlevaluelist"
    assert attribute.findtext("required") == "false"
    assert [v.findtext("key") for v in attribute.findall("values/value")] == list(RequestType.values)
    assert attribute.find("values/value[key='help']").findtext("name") == "求助"


def test_a_non_leaf_category_has_a_definition_too(client, tree):
    assert client.get(f"/open311/v2/services/{tree['市政设施'].code}.json").status_code == 200


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_code_is_a_404_in_the_spec_error_format(client, tree, fmt):
    response = client.get(f"/open311/v2/services/9999.{fmt}")
    assert response.status_code == 404
    if fmt == "json":
        (error,) = json_of(response)
        assert error["code"] == 404
        assert "9999" in error["description"]
    else:
        root = xml_of(response)
        assert root.tag == "errors"
        assert root.findtext("error/code") == "404"
        assert "9999" in root.findtext("error/description")


@pytest.mark.parametrize(
    "path",
    ["/open311/v2/services.csv", "/open311/v2/discovery.html", "/open311/v2/requests.yaml", "/open311/v2/nothing"],
)
def test_unknown_format_or_path_is_a_404_error_in_xml(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert xml_of(response).findtext("error/code") == "404"


def test_unknown_jurisdiction_is_a_404_and_a_known_one_is_accepted(client, world, tree):
    response = client.get("/open311/v2/services.json", {"jurisdiction_id": "999999999999"})
    assert response.status_code == 404
    assert "999999999999" in json_of(response)[0]["description"]
    assert client.get("/open311/v2/services.json", {"jurisdiction_id": world.office.code}).status_code == 200


def test_other_methods_are_refused_with_405(client, db):
    response = client.delete("/open311/v2/services.json")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert json_of(response)[0]["code"] == 405
