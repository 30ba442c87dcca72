"""Attachments: checked from their bytes, stored under random names, undone on failure, served to viewers only."""

import hashlib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiedao.cases import services
from jiedao.cases.choices import AttachmentKind, Channel, RequestType
from jiedao.cases.errors import Conflict, InvalidInput
from jiedao.cases.models import Attachment, Case, CaseEvent
from jiedao.cases.services import attachments as attachment_services
from jiedao.cases.tests.uploads import EXE, GIF, HTML, JPEG, PDF, WEBP, png_bytes, stored_files, upload
from jiedao.core.errors import ActionForbidden, NotFoundOrForbidden


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _case(actor, **extra):
    values = {
        "channel": Channel.PHONE,
        "request_type": RequestType.HELP,
        "title": "井盖缺失",
        "content": "3号楼前井盖缺失，有安全隐患",
        "lng": "120.005",
        "lat": "30.005",
    }
    values.update(extra)
    return services.case_register(actor=actor, **values)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (png_bytes(), "image/png"),
        (JPEG, "image/jpeg"),
        (GIF, "image/gif"),
        (WEBP, "image/webp"),
        (PDF, "application/pdf"),
        (HTML, None),
        (EXE, None),
        (b"PK\x03\x04" + b"\x00" * 30, None),  # a zip (or docx)
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', None),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 24, None),  # the signature without a header chunk
    ],
)
def test_sniff_names_the_type_the_bytes_prove(content, expected):
    assert attachment_services.sniff(content[:32]) == expected


def test_attach_stores_under_a_random_name_with_the_type_read_from_the_content(world, dispatcher, now, media):
    case = _case(dispatcher)
    image = png_bytes()
    # The browser's name and type are not trusted: a path in the name, a wrong type claimed.
    saved = services.case_attach(
        case_id=case.pk,
        actor=dispatcher,
        files=[upload("../../etc/现场.PHP.png", image, content_type="text/html"), upload("批复.pdf", PDF)],
        kind=AttachmentKind.EVIDENCE,
    )
    png, pdf = saved
    assert (png.content_type, pdf.content_type) == ("image/png", "application/pdf")
    assert png.original_name == "现场.PHP.png"
    assert png.size == len(image) and png.sha256 == hashlib.sha256(image).hexdigest()
    assert png.uploaded_by == dispatcher and png.kind == AttachmentKind.EVIDENCE
    assert re.fullmatch(r"cases/\d{4}/\d{2}/[0-9a-f]{32}\.png", png.file.name)
    assert re.fullmatch(r"cases/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", pdf.file.name)
    assert (media / png.file.name).read_bytes() == image
    event = CaseEvent.objects.get(case=case, action="attach")
    assert event.data == {
        "ids": [png.pk, pdf.pk],
        "kinds": ["evidence", "evidence"],
        "names": ["现场.PHP.png", "批复.pdf"],
    }
    assert Case.objects.get(pk=case.pk).version == case.version + 1


@pytest.mark.parametrize(
    ("name", "content"),
    [("photo.jpg", HTML), ("photo.png", EXE), ("empty.png", b""), ("cut.png", png_bytes()[:-12])],
)
def test_attach_refuses_a_file_that_is_not_what_it_claims_and_writes_nothing(
    world, dispatcher, now, media, name, content
):
    case = _case(dispatcher)
    with pytest.raises(InvalidInput) as excinfo:
        services.case_attach(
            case_id=case.pk,
            actor=dispatcher,
            files=[upload("ok.png", png_bytes()), upload(name, content)],
            kind=AttachmentKind.BEFORE,
        )
    assert excinfo.value.field == "files"
    assert name in excinfo.value.message
    assert not Attachment.objects.exists()
    assert not CaseEvent.objects.filter(action="attach").exists()
    assert stored_files(media) == []


def test_attach_refuses_an_oversize_file_even_when_its_declared_size_lies(world, dispatcher, now, media, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    case = _case(dispatcher)
    big = png_bytes(width=400, height=400, rgb=(1, 2, 3))[:8] + bytes(range(256)) * 8
    with pytest.raises(InvalidInput) as excinfo:
        services.case_attach(case_id=case.pk, actor=dispatcher, files=[upload("big.png", big)], kind="before")
    assert excinfo.value.field == "files" and "big.png" in excinfo.value.message
    liar = upload("liar.gif", GIF + b"\x00" * 2000)
    liar.size = 10
    with pytest.raises(InvalidInput) as excinfo:
        services.case_attach(case_id=case.pk, actor=dispatcher, files=[liar], kind="before")
    assert "liar.gif" in excinfo.value.message
    assert not Attachment.objects.exists()
    assert stored_files(media) == []
    settings.ATTACHMENT_MAX_BYTES = 5000
    services.case_attach(case_id=case.pk, actor=dispatcher, files=[upload("small.png", png_bytes())], kind="before")
    assert Attachment.objects.count() == 1


def test_attach_takes_at_most_nine_files_and_at_least_one(world, dispatcher, now, media):
    case = _case(dispatcher)
    with pytest.raises(InvalidInput):
        services.case_attach(
            case_id=case.pk, actor=dispatcher, files=[upload(f"{i}.gif", GIF) for i in range(10)], kind="before"
        )
    with pytest.raises(InvalidInput):
        services.case_attach(case_id=case.pk, actor=dispatcher, files=[], kind="before")
    with pytest.raises(InvalidInput) as excinfo:
        services.case_attach(case_id=case.pk, actor=dispatcher, files=[upload("a.gif", GIF)], kind="selfie")
    assert excinfo.value.field == "kind"
    assert stored_files(media) == []
    saved = services.case_attach(
        case_id=case.pk, actor=dispatcher, files=[upload(f"{i}.gif", GIF) for i in range(9)], kind="before"
    )
    assert len(saved) == 9 and len(stored_files(media)) == 9


def test_files_stored_before_a_failure_are_deleted_again(world, dispatcher, now, media, monkeypatch):
    case = _case(dispatcher)

    def broken_finish(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(attachment_services, "finish", broken_finish)
    with pytest.raises(RuntimeError):
        services.case_attach(
            case_id=case.pk, actor=dispatcher, files=[upload("a.png", png_bytes()), upload("b.gif", GIF)], kind="after"
        )
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


def test_files_of_a_finished_inner_action_are_deleted_when_the_enclosing_one_fails(world, dispatcher, now, media):
    case = _case(dispatcher)
    with pytest.raises(RuntimeError), attachment_services.atomic_with_files():
        services.case_attach(case_id=case.pk, actor=dispatcher, files=[upload("a.gif", GIF)], kind="after")
        assert len(stored_files(media)) == 1
        raise RuntimeError("a later step failed")
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


def test_who_may_attach(world, dispatcher, grid_worker, community_staff, outsider, unit_handler, now, media):
    by_dispatcher = _case(dispatcher)
    by_grid_worker = _case(grid_worker, channel=Channel.GRID)
    files = lambda: [upload("a.gif", GIF)]  # noqa: E731
    # Whoever may note (the office, the community) may attach.
    services.case_attach(case_id=by_dispatcher.pk, actor=community_staff, files=files(), kind="evidence")
    # The grid worker who reported a case may add to it, but not to another case of his grid.
    services.case_attach(case_id=by_grid_worker.pk, actor=grid_worker, files=files(), kind="before")
    with pytest.raises(ActionForbidden):
        services.case_attach(case_id=by_dispatcher.pk, actor=grid_worker, files=files(), kind="before")
    # A unit the case was never dispatched to does not see it; nor does the neighbouring community.
    for stranger in (unit_handler, outsider):
        with pytest.raises(NotFoundOrForbidden):
            services.case_attach(case_id=by_dispatcher.pk, actor=stranger, files=files(), kind="evidence")
    assert Attachment.objects.count() == 2
    assert len(stored_files(media)) == 2


def test_attach_refuses_a_stale_version(world, dispatcher, now, media):
    case = _case(dispatcher)
    services.case_accept(case_id=case.pk, actor=dispatcher)
    with pytest.raises(Conflict):
        services.case_attach(
            case_id=case.pk, actor=dispatcher, files=[upload("a.gif", GIF)], kind="other", expected_version=case.version
        )
    assert stored_files(media) == []


def test_download_serves_the_file_inline_with_its_detected_type(client, world, dispatcher, now, media):
    case = _case(dispatcher)
    image = png_bytes()
    png, pdf = services.case_attach(
        case_id=case.pk,
        actor=dispatcher,
        files=[upload("现场.png", image, content_type="text/html"), upload("材料.pdf", PDF, content_type="image/png")],
        kind="evidence",
    )
    client.force_login(dispatcher)
    response = client.get(reverse("cases:attachment", args=[case.pk, png.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == image
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    response = client.get(reverse("cases:attachment", args=[case.pk, pdf.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == PDF


def test_download_is_404_for_those_who_may_not_see_the_case(client, world, dispatcher, outsider, now, media):
    case = _case(dispatcher)
    other = _case(dispatcher, title="另一件")
    (saved,) = services.case_attach(case_id=case.pk, actor=dispatcher, files=[upload("a.gif", GIF)], kind="before")
    url = reverse("cases:attachment", args=[case.pk, saved.pk])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(dispatcher)
    assert client.get(url).status_code == 200
    # An attachment is reached through its own case only.
    assert client.get(reverse("cases:attachment", args=[other.pk, saved.pk])).status_code == 404
    # A file gone from storage is a 404, not a server error.
    saved.file.storage.delete(saved.file.name)
    assert client.get(url).status_code == 404


def test_detail_page_shows_thumbnails_and_links_in_a_constant_number_of_queries(client, world, dispatcher, now, media):
    case = _case(dispatcher)
    services.case_attach(case_id=case.pk, actor=dispatcher, files=[upload("前.png", png_bytes())], kind="before")
    client.force_login(dispatcher)
    url = reverse("cases:detail", args=[case.pk])
    client.get(url)  # warm the per-process caches
    with CaptureQueriesContext(connection) as one:
        html = client.get(url).content.decode()
    first = Attachment.objects.get()
    assert f'<img src="{reverse("cases:attachment", args=[case.pk, first.pk])}"' in html
    services.case_attach(
        case_id=case.pk,
        actor=dispatcher,
        files=[upload("后.gif", GIF), upload("材料.pdf", PDF), upload("b.gif", GIF), upload("c.gif", GIF)],
        kind="after",
    )
    with CaptureQueriesContext(connection) as five:
        html = client.get(url).content.decode()
    assert html.count('data-testid="attachment"') == 5
    assert html.count("<img src=") == 4
    pdf = Attachment.objects.get(content_type="application/pdf")
    assert f'href="{reverse("cases:attachment", args=[case.pk, pdf.pk])}" class="file-link"' in html
    assert len(five) == len(one)


def test_attach_through_the_detail_page(client, world, dispatcher, grid_worker, now, media):
    case = _case(dispatcher)
    client.force_login(dispatcher)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="attach-form"' in html
    response = client.post(
        reverse("cases:attach", args=[case.pk]),
        {
            "kind": "evidence",
            "version": str(case.version),
            "upload": [upload("a.png", png_bytes()), upload("b.pdf", PDF)],
        },
    )
    assert response.status_code == 302 and response.url == reverse("cases:detail", args=[case.pk])
    assert sorted(Attachment.objects.values_list("content_type", flat=True)) == ["application/pdf", "image/png"]
    # A fake image is refused with its name, and nothing is added.
    response = client.post(
        reverse("cases:attach", args=[case.pk]),
        {"kind": "evidence", "upload": [upload("invoice.jpg", HTML)]},
        follow=True,
    )
    assert "invoice.jpg" in response.content.decode()
    assert Attachment.objects.count() == 2 and len(stored_files(media)) == 2
    # A grid worker who did not report the case sees the photos but gets no form, and may not post one.
    client.force_login(grid_worker)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="attachment"' in html and 'data-testid="attach-form"' not in html
    client.post(reverse("cases:attach", args=[case.pk]), {"kind": "after", "upload": [upload("c.gif", GIF)]})
    assert Attachment.objects.count() == 2
