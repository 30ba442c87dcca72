"""The SSRF guard of webhooks: which URLs a subscription may be saved with, and which addresses a delivery may
reach after its host is resolved (DNS rebinding included). No test resolves a real name: getaddrinfo is faked."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from jiedao.integrations import webhooks
from jiedao.integrations.choices import DeliveryStatus
from jiedao.integrations.models import WebhookDelivery, WebhookSubscription
from jiedao.integrations.targets import TargetRefused, address_refusal, check_url
from jiedao.integrations.tests.test_webhooks import SECRET, register

REFUSED_ADDRESSES = [
    "127.0.0.1",
    "127.3.2.1",
    "::1",
    "169.254.169.254",  # the cloud metadata service
    "fe80::1",
    "0.0.0.0",  # noqa: S104 (an address to refuse, not one to bind)
    "::",
    "224.0.0.1",
    "ff02::1",
    "240.0.0.1",
    "255.255.255.255",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "100.64.0.1",  # carrier-grade NAT
    "192.0.2.10",  # documentation
]
PRIVATE_ADDRESSES = ["10.1.2.3", "172.20.0.1", "192.168.1.20", "fd00::20"]
PUBLIC_ADDRESSES = ["1.1.1.1", "2001:4860:4860::8888"]


@pytest.fixture
def guarded(settings: Any) -> Any:
    """The production default: no host allowed beyond the rules (the test settings allow 127.0.0.1)."""
    settings.WEBHOOK_ALLOWED_HOSTS = []
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    return settings


@dataclass
class FakeDns:
    """Name → answers, one list of addresses per lookup (the last one repeats); `calls` counts the lookups."""

    answers: dict[str, list[list[str]]] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)

    def __setitem__(self, name: str, answers: list[list[str]]) -> None:
        self.answers[name] = answers

    def lookup(self, host: str, port: int) -> list[Any]:
        self.calls.append(host)
        given = self.answers[host]
        addresses = given.pop(0) if len(given) > 1 else given[0]
        infos = []
        for address in addresses:
            if ipaddress.ip_address(address).version == 6:
                infos.append((socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port, 0, 0)))
            else:
                infos.append((socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port)))
        return infos


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> FakeDns:
    """Names given to the fake resolve to its answers; any other lookup fails (tests never use the network)."""
    fake = FakeDns()

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in fake.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return fake.lookup(host, int(port))

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return fake


@pytest.mark.parametrize("address", REFUSED_ADDRESSES)
def test_special_addresses_are_refused(guarded, address):
    assert address_refusal(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", PRIVATE_ADDRESSES + PUBLIC_ADDRESSES)
def test_public_and_private_addresses_are_allowed_by_default(guarded, address):
    assert address_refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize("address", PRIVATE_ADDRESSES)
def test_private_networks_can_be_refused_by_a_setting(guarded, address):
    guarded.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    assert "私有网络" in (address_refusal(ipaddress.ip_address(address)) or "")
    assert address_refusal(ipaddress.ip_address("1.1.1.1")) is None


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/x",
        "file:///etc/passwd",
        "http:///path",
        "http://localhost:8000/hook",
        "http://receiver.localhost/hook",
        "http://127.0.0.1/hook",
        "http://127.1/hook",  # legacy spellings the resolver reads as 127.0.0.1
        "http://2130706433/hook",
        "http://0x7f000001/hook",
        "http://[::1]:8080/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://example.org:99999/hook",
    ],
)
def test_check_url_refuses_what_it_can_see_without_the_network(guarded, url):
    with pytest.raises(TargetRefused):
        check_url(url)


def test_check_url_accepts_names_and_allowed_addresses_without_resolving(guarded, dns):
    assert check_url("https://hooks.example.org/jiedao?x=1") == ("https", "hooks.example.org", 443, "/jiedao?x=1")
    assert check_url("http://10.20.30.40:8080/hook")[1:3] == ("10.20.30.40", 8080)
    assert dns.calls == []


def test_allowed_hosts_take_names_addresses_and_networks(guarded):
    guarded.WEBHOOK_ALLOWED_HOSTS = ["receiver.localhost", "127.0.0.1", "fd12::/16"]
    guarded.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    check_url("http://receiver.localhost/hook")
    check_url("http://127.0.0.1:8000/hook")
    check_url("http://[fd12::5]/hook")
    with pytest.raises(TargetRefused):
        check_url("http://127.0.0.2/hook")
    with pytest.raises(TargetRefused):
        check_url("http://[fd13::5]/hook")


def test_a_subscription_is_validated_with_a_chinese_message_on_the_url(guarded, world):
    subscription = WebhookSubscription(
        name="元数据", target_url="http://169.254.169.254/latest/", secret=SECRET, office=world.office
    )
    with pytest.raises(ValidationError) as refused:
        subscription.full_clean()
    (message,) = refused.value.message_dict["target_url"]
    assert "169.254.169.254" in message and "链路本地" in message


def test_the_admin_form_refuses_a_loopback_url_on_the_url_field(guarded, client, world, superuser):
    client.force_login(superuser)
    fields = {
        "name": "区平台",
        "target_url": "http://[::1]:8000/hook",
        "office": world.office.pk,
        "secret": "0123456789abcdef0123456789abcdef",
        "active": "on",
    }
    response = client.post(reverse("admin:integrations_webhooksubscription_add"), fields)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["target_url"] and "回环" in errors["target_url"][0]
    assert not WebhookSubscription.objects.exists()
    fields["target_url"] = "https://10.20.30.40/hook"  # 政务外网: allowed by default
    assert client.post(reverse("admin:integrations_webhooksubscription_add"), fields).status_code == 302


def _deliver(world: Any, dispatcher: Any, url: str, capture: Any) -> WebhookDelivery:
    WebhookSubscription.objects.create(name="区平台", target_url=url, secret=SECRET, office=world.office)
    with capture(execute=True):
        register(dispatcher)
    return WebhookDelivery.objects.get()


def test_a_name_rebound_to_this_machine_is_refused_at_delivery_and_given_up(
    guarded, world, dispatcher, receiver, now, dns, django_capture_on_commit_callbacks
):
    # Given a name that passed the check at save and now resolves to the receiver on this machine
    port = receiver.url.split(":")[2].split("/")[0]
    dns["hooks.example.org"] = [["127.0.0.1"]]
    # When the delivery is attempted
    delivery = _deliver(world, dispatcher, f"http://hooks.example.org:{port}/hook", django_capture_on_commit_callbacks)
    # Then nothing is sent, and the log says why; the delivery is given up, not retried
    assert receiver.requests == []
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 1 and delivery.next_attempt_at is None
    assert "hooks.example.org" in delivery.last_error and "127.0.0.1" in delivery.last_error
    assert "回环" in delivery.last_error
    assert webhooks.deliveries_send_due(now=now.moment + webhooks.RETRY_DELAYS[-1] * 2) == 0
    assert WebhookDelivery.objects.get().attempts == 1


def test_a_name_with_one_bad_address_among_good_ones_is_refused(
    guarded, world, dispatcher, receiver, now, dns, django_capture_on_commit_callbacks
):
    # The good address is the receiver (allowed here): were the bad one not seen, the receiver would get the POST,
    # and no test ever connects to an address off this machine.
    guarded.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1/32"]
    port = receiver.url.split(":")[2].split("/")[0]
    dns["hooks.example.org"] = [["127.0.0.1", "169.254.169.254"]]
    url = f"http://hooks.example.org:{port}/hook"
    delivery = _deliver(world, dispatcher, url, django_capture_on_commit_callbacks)
    assert receiver.requests == []
    assert delivery.status == DeliveryStatus.FAILED and "169.254.169.254" in delivery.last_error


def test_a_url_saved_before_the_guard_is_refused_at_delivery(
    guarded, world, dispatcher, receiver, now, django_capture_on_commit_callbacks
):
    delivery = _deliver(world, dispatcher, receiver.url, django_capture_on_commit_callbacks)
    assert receiver.requests == [] and delivery.status == DeliveryStatus.FAILED
    assert "127.0.0.1" in delivery.last_error


def test_the_connection_goes_to_the_checked_address_not_a_second_lookup(
    guarded, world, dispatcher, receiver, now, dns, django_capture_on_commit_callbacks
):
    # Given a receiver address the deployment allows, behind a name whose second answer would be another address
    # (on this machine, where nobody listens: a test never connects off it)
    guarded.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1/32"]
    port = receiver.url.split(":")[2].split("/")[0]
    dns["hooks.example.org"] = [["127.0.0.1"], ["127.0.0.2"]]
    # When the delivery is sent
    url = f"http://hooks.example.org:{port}/hook?a=1"
    delivery = _deliver(world, dispatcher, url, django_capture_on_commit_callbacks)
    # Then the name was looked up once, the checked address received it, under the host's own name
    assert delivery.status == DeliveryStatus.DELIVERED
    assert dns.calls == ["hooks.example.org"]
    (received,) = receiver.requests
    assert received.headers["host"] == f"hooks.example.org:{port}" and received.path == "/hook?a=1"


def test_a_name_that_does_not_resolve_is_an_ordinary_failure_tried_again(
    guarded, world, dispatcher, now, dns, django_capture_on_commit_callbacks
):
    delivery = _deliver(world, dispatcher, "http://nowhere.example.org/hook", django_capture_on_commit_callbacks)
    assert delivery.status == DeliveryStatus.RETRYING and "gaierror" in delivery.last_error
