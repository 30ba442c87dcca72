"""Training, admission, suggestions on the screens and their measured accuracy, through the real services."""

from __future__ import annotations

import datetime as dt
import random
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.urls import reverse

from jiedao.cases import services as case_services
from jiedao.cases.choices import Channel, RequestType
from jiedao.cases.models import Case
from jiedao.categories.models import Category
from jiedao.triage import examples as ex
from jiedao.triage import selectors, services, store, tasks
from jiedao.triage.choices import Kind, ModelStatus
from jiedao.triage.classifier import Doc, TextClassifier, prepare_all
from jiedao.triage.models import Suggestion, TriageModel
from jiedao.triage.tests.corpus import texts


@pytest.fixture(autouse=True)
def _models_in_tmp(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    store._cache.clear()


@pytest.fixture
def tree(db):
    roots = {
        "light": Category.objects.create(level=1, name="市政设施", code="01"),
        "noise": Category.objects.create(level=1, name="环境保护", code="02"),
        "garbage": Category.objects.create(level=1, name="市容环卫", code="03"),
    }
    for root in roots.values():
        Category.objects.create(level=2, name=f"{root.name}其他", code=f"{root.code}01", parent=root)
    return roots


def _examples(n_per_class: int, *, shuffle_labels: bool = False, seed: int = 0) -> list[ex.Example]:
    found = []
    for label in ("light", "noise", "garbage"):
        for i, (title, content) in enumerate(texts(label, n_per_class, seed=seed)):
            found.append(ex.Example(key=f"{label}:{seed}:{i}", doc=Doc(title, content), label=label))
    if shuffle_labels:  # the training part only: the held-out examples keep their true labels
        train = [i for i, e in enumerate(found) if not ex.is_heldout(e.key)]
        labels = [found[i].label for i in train]
        random.Random(seed).shuffle(labels)
        for i, label in zip(train, labels, strict=True):
            found[i] = ex.Example(key=found[i].key, doc=found[i].doc, label=label)
    return found


def test_the_classifier_learns_the_problem_and_gives_calibrated_top_three():
    data = _examples(30)
    classifier = TextClassifier().fit([e.doc for e in data], [e.label for e in data])
    (top,) = classifier.top([Doc("向阳街路灯坏了", "晚上漆黑一片")])
    assert top[0][0] == "light"
    assert len(top) == 3 and top[0][1] >= top[1][1] >= top[2][1]
    assert 0.0 < sum(p for _l, p in top) <= 1.0001


def test_confidence_follows_how_often_the_model_is_right_and_keeps_the_scores_order():
    def fitted(data: list[ex.Example]) -> TextClassifier:
        train = [e for e in data if not ex.is_heldout(e.key)]
        return TextClassifier().fit([e.doc for e in train], [e.label for e in train])

    heldout = [e for e in _examples(40, seed=7) if ex.is_heldout(e.key)]
    docs = [e.doc for e in heldout]
    clean = fitted(_examples(40))
    noisy = fitted(_examples(40, shuffle_labels=True))
    clean_p, noisy_p = clean.probabilities(docs), noisy.probabilities(docs)
    # Clean labels: right on the held-out examples, and sure of it; shuffled labels: much less sure.
    assert clean.predict(docs) == [e.label for e in heldout]
    assert clean_p.max(axis=1).mean() > 0.8
    assert noisy_p.max(axis=1).mean() < clean_p.max(axis=1).mean() - 0.2
    # The likeliest suggestion is the best-scored class: one temperature does not reorder.
    assert clean.model is not None
    scores = clean.model.decision_function(clean._matrix(prepare_all(docs)))
    assert (np.argsort(-clean_p, axis=1) == np.argsort(-scores, axis=1)).all()


def test_training_refuses_too_few_examples_or_classes(db):
    with pytest.raises(services.TrainingRefused):
        services.triage_train(kind=Kind.CATEGORY_1, examples=_examples(3), source="test")
    one_class = [e for e in _examples(60) if e.label == "light"]
    with pytest.raises(services.TrainingRefused):
        services.triage_train(kind=Kind.CATEGORY_1, examples=one_class, source="test")
    assert not TriageModel.objects.exists()


def test_a_new_model_replaces_the_current_one_only_if_it_scores_as_well_on_the_same_heldout(db):
    # Given a model in use trained on good labels
    first = services.triage_train(kind=Kind.CATEGORY_1, examples=_examples(40), source="good")
    assert first.admitted and first.model.status == ModelStatus.CURRENT and first.model.version == 1
    assert first.model.macro_f1 > 0.9 and first.model.heldout >= 15
    # When a model trained on shuffled labels is evaluated on the same held-out examples
    worse = services.triage_train(kind=Kind.CATEGORY_1, examples=_examples(40, shuffle_labels=True), source="bad")
    # Then it is kept out, with the decision and both scores written down
    assert not worse.admitted and worse.model.status == ModelStatus.REJECTED and worse.model.version == 2
    assert worse.model.previous_macro_f1 == pytest.approx(first.model.macro_f1)
    assert worse.model.macro_f1 < first.model.macro_f1
    assert TriageModel.objects.get(kind=Kind.CATEGORY_1, status=ModelStatus.CURRENT).pk == first.model.pk
    # And an equally good model replaces the current one
    again = services.triage_train(kind=Kind.CATEGORY_1, examples=_examples(40), source="good again")
    assert again.admitted
    statuses = dict(TriageModel.objects.values_list("version", "status"))
    assert statuses == {1: ModelStatus.RETIRED, 2: ModelStatus.REJECTED, 3: ModelStatus.CURRENT}


def _closed_case(actor, title, content, category):
    case = case_services.case_register(
        actor=actor,
        channel=Channel.PHONE,
        request_type=RequestType.CONSULTATION,
        title=title,
        content=content,
        category=category,
        lng="120.005",
        lat="30.005",
    )
    return case_services.case_answer(case_id=case.pk, actor=actor, result_text="已答复")


def test_from_cases_learns_closed_cases_at_each_level_and_the_unit_that_replied(world, dispatcher, tree, now):
    light = Category.objects.get(code="0101")
    closed = _closed_case(dispatcher, "路灯不亮", "幸福小区路灯不亮", light)
    case_services.case_register(
        actor=dispatcher, channel=Channel.PHONE, request_type=RequestType.HELP, title="开着", content="还没办",
        lng="120.005", lat="30.005", category=light,
    )  # fmt: skip
    level1 = ex.from_cases(Kind.CATEGORY_1)
    assert [(e.key, e.label) for e in level1] == [(f"case:{closed.pk}", "01")]
    assert [e.label for e in ex.from_cases(Kind.CATEGORY_2)] == ["0101"]
    assert ex.from_cases(Kind.CATEGORY_3) == []

    # A case returned by its first unit and replied by the second is learnt for the second
    case = case_services.case_register(
        actor=dispatcher, channel=Channel.PHONE, request_type=RequestType.HELP, title="噪音", content="工地夜间施工",
        lng="120.005", lat="30.005", reporter_phone="",
    )  # fmt: skip
    case = case_services.case_accept(case_id=case.pk, actor=dispatcher)
    case = case_services.case_dispatch(case_id=case.pk, actor=dispatcher, unit_id=world.unit_property_a.pk)
    first_handler = _handler(world.unit_property_a, "p_handler")
    case = case_services.case_return(case_id=case.pk, actor=first_handler, reason="wrong_duty", note="不归我们")
    case = case_services.case_review_return(
        case_id=case.pk, actor=dispatcher, approve=True, unit_id=world.unit_urban.pk
    )
    second_handler = _handler(world.unit_urban, "u_handler")
    case_services.case_sign(case_id=case.pk, actor=second_handler)
    case_services.case_reply(case_id=case.pk, actor=second_handler, result_text="已停工")
    case = case_services.case_verify(case_id=case.pk, actor=dispatcher, passed=True)
    assert case.state == "closed"
    assert [(e.key, e.label) for e in ex.from_cases(Kind.UNIT)] == [(f"case:{case.pk}", str(world.unit_urban.pk))]


def _handler(unit, username):
    from conftest import _persona

    return _persona(username, "unit_handler", unit=unit)


def _model_for_tree():
    """A level-1 model whose labels are the tree's codes."""
    codes = {"light": "01", "noise": "02", "garbage": "03"}
    data = [ex.Example(key=e.key, doc=e.doc, label=codes[e.label]) for e in _examples(40)]
    return services.triage_train(kind=Kind.CATEGORY_1, examples=data, source="test").model


def test_without_a_model_the_suggestions_are_simply_absent(world, dispatcher, client):
    assert selectors.suggest_categories(title="路灯不亮", content="晚上漆黑") is None
    client.force_login(dispatcher)
    response = client.post(reverse("triage:suggest"), {"title": "路灯不亮", "content": "晚上漆黑"})
    assert response.status_code == 200 and b"category-suggestion" not in response.content


def test_a_missing_model_file_gives_no_suggestion_not_an_error(world, dispatcher, tree):
    model = _model_for_tree()
    store.delete(model.file)
    assert selectors.suggest_categories(title="路灯不亮", content="晚上漆黑") is None


def test_the_form_suggests_categories_as_the_text_is_typed(
    world, dispatcher, tree, client, django_assert_max_num_queries
):
    _model_for_tree()
    client.force_login(dispatcher)
    with django_assert_max_num_queries(8):
        response = client.post(reverse("triage:suggest"), {"title": "和平路路灯坏了", "content": "天黑后看不清台阶"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-testid="category-suggestion"') >= 1
    assert body.index("市政设施") < body.index("%")


def test_suggestions_are_refused_to_someone_who_registers_nothing(world, unit_handler, tree, client):
    _model_for_tree()
    client.force_login(unit_handler)
    assert client.post(reverse("triage:suggest"), {"title": "路灯不亮", "content": "漆黑"}).status_code == 403


def test_registration_records_what_was_suggested_and_what_was_chosen(world, dispatcher, tree, client, now):
    _model_for_tree()
    client.force_login(dispatcher)
    form = {
        "channel": Channel.PHONE, "request_type": RequestType.HELP, "urgency": "normal", "title": "东风新村路灯不亮",
        "content": "晚上一片漆黑，老人走路摔倒", "lng": "120.005", "lat": "30.005",
    }  # fmt: skip
    client.post(reverse("cases:new"), {**form, "category": tree["light"].pk})
    client.post(reverse("cases:new"), {**form, "title": "东风新村路灯不亮了", "category": tree["noise"].pk})
    taken, overridden = Suggestion.objects.order_by("id")
    assert (taken.kind, taken.chosen, taken.accepted, taken.in_top3) == (Kind.CATEGORY_1, "01", True, True)
    assert (overridden.chosen, overridden.accepted) == ("02", False)
    assert overridden.in_top3 == ("02" in [label for label, _p in overridden.proposed])
    assert taken.proposed[0][0] == "01" and taken.model is not None
    overall, rows = selectors.acceptance("category")
    assert (overall.suggested, overall.accepted) == (2, 1)
    assert {r.label: (r.suggested, r.accepted) for r in rows} == {"市政设施": (1, 1), "环境保护": (1, 0)}


def test_dispatch_shows_unit_suggestions_and_records_the_choice(world, dispatcher, client, now):
    units = {"light": world.unit_urban, "noise": world.unit_property_a, "garbage": world.unit_urban}
    data = [ex.Example(key=e.key, doc=e.doc, label=str(units[e.label].pk)) for e in _examples(40)]
    services.triage_train(kind=Kind.UNIT, examples=data, source="test")
    case = case_services.case_register(
        actor=dispatcher, channel=Channel.PHONE, request_type=RequestType.HELP, title="长青苑工地噪音",
        content="凌晨打桩噪音严重影响休息", lng="120.005", lat="30.005",
    )  # fmt: skip
    case = case_services.case_accept(case_id=case.pk, actor=dispatcher)
    client.force_login(dispatcher)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f'data-suggest-unit="{world.unit_property_a.pk}"' in page
    client.post(
        reverse("cases:act", args=[case.pk, "dispatch"]),
        {"version": case.version, "dispatch-unit": world.unit_urban.pk, "dispatch-role": "main", "dispatch-note": ""},
    )
    assert Case.objects.get(pk=case.pk).main_unit_id == world.unit_urban.pk
    (suggestion,) = Suggestion.objects.filter(kind=Kind.UNIT)
    assert suggestion.chosen == str(world.unit_urban.pk) and not suggestion.accepted


def test_the_admin_shows_the_accepted_share(world, superuser, client):
    client.force_login(superuser)
    response = client.get(reverse("admin:triage_suggestion_changelist"))
    assert response.status_code == 200
    assert 'data-testid="acceptance"' in response.content.decode()
    assert client.get(reverse("admin:triage_triagemodel_changelist")).status_code == 200


def test_eval_command_prints_scores_and_ends_with_macro_f1(tmp_path):
    import csv

    paths = {}
    for name, seed in (("train", 0), ("test", 1)):
        paths[name] = tmp_path / f"{name}.csv"
        with paths[name].open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["主题", "详情", "分类"])
            for label in ("light", "noise", "garbage"):
                for title, content in texts(label, 25 if name == "train" else 8, seed=seed):
                    writer.writerow([title, content, label])
    out = StringIO()
    call_command(
        "triage", "eval", "--train", str(paths["train"]), "--test", str(paths["test"]),
        "--text-col", "主题,详情", "--label-col", "分类", stdout=out,
    )  # fmt: skip
    lines = out.getvalue().strip().splitlines()
    assert any(line.startswith("f1[noise]=") for line in lines)
    assert any(line.startswith("messages_per_second=") for line in lines)
    last = lines[-1]
    assert last.startswith("macro_f1=") and len(last) == len("macro_f1=0.0000") and float(last[9:]) > 0.9


def test_train_command_from_closed_cases_and_the_weekly_job(world, dispatcher, tree, now, monkeypatch):
    # Which cases are held out follows from their ids, which differ between databases: of these 90, any number
    # may be; the floor of held-out cases is not what this test is about.
    monkeypatch.setattr(services, "MIN_HELDOUT", 5)
    light, noise = Category.objects.get(code="0101"), Category.objects.get(code="0201")
    for (title, content), category in [(t, light) for t in texts("light", 45)] + [
        (t, noise) for t in texts("noise", 45)
    ]:
        _closed_case(dispatcher, title, content, category)
        now.advance(minutes=5)
    out = StringIO()
    call_command("triage", "train", "--kind", Kind.CATEGORY_1, stdout=out)
    model = TriageModel.objects.get(kind=Kind.CATEGORY_1)
    assert model.status == ModelStatus.CURRENT and model.examples + model.heldout == 90
    assert model.data_until is not None and "v1" in out.getvalue()
    # The weekly job does nothing without enough new closed cases...
    assert tasks.retrain_due(min_new=10)[Kind.CATEGORY_1].startswith("skipped")
    # ...and retrains (and keeps the better model) when they came
    now.advance(days=1)
    for title, content in texts("light", 12, seed=5):
        _closed_case(dispatcher, title, content, light)
    assert tasks.retrain_due(min_new=10)[Kind.CATEGORY_1] in {"admitted", "kept the model in use"}
    assert TriageModel.objects.filter(kind=Kind.CATEGORY_1).count() == 2
    assert TriageModel.objects.filter(kind=Kind.CATEGORY_1, status=ModelStatus.CURRENT).count() == 1


def test_the_weekly_retraining_is_a_periodic_task():
    task = tasks.retrain_weekly.s()
    assert task.validate_datetime(dt.datetime(2026, 11, 29, 2, 30))  # a Sunday
    assert not task.validate_datetime(dt.datetime(2026, 11, 30, 2, 30))


def test_a_model_file_of_an_older_format_gives_no_suggestion_and_is_retrained(world, dispatcher, tree, client):
    # Given a model in use whose file an earlier version of the code wrote
    model = _model_for_tree()
    classifier = store.load(model.file)
    classifier.format = TextClassifier.FORMAT - 1
    store._cache.clear()
    import joblib

    joblib.dump(classifier, store.models_dir() / model.file)
    # Then the form shows no suggestion, and no error
    client.force_login(dispatcher)
    response = client.post(reverse("triage:suggest"), {"title": "路灯不亮", "content": "晚上漆黑"})
    assert response.status_code == 200 and b"category-suggestion" not in response.content
    assert not store.readable(model.file)
    # And `train --if-missing` counts the kind as missing (it has no closed cases here, so it says why it skips)
    out = StringIO()
    call_command("triage", "train", "--if-missing", stdout=out)
    assert "category_1: 0 examples" in out.getvalue()


def test_only_the_model_in_use_keeps_its_file(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.triage_train(kind=Kind.CATEGORY_1, examples=_examples(40), source="good").model
    with django_capture_on_commit_callbacks(execute=True):
        worse = services.triage_train(kind=Kind.CATEGORY_1, examples=_examples(40, shuffle_labels=True), source="bad")
    assert not worse.admitted
    assert not (store.models_dir() / worse.model.file).exists()
    assert store.readable(first.file)
    with django_capture_on_commit_callbacks(execute=True):
        again = services.triage_train(kind=Kind.CATEGORY_1, examples=_examples(40), source="good again").model
    assert not (store.models_dir() / first.file).exists()
    assert store.readable(again.file)


def _labelled_xlsx(path, rows):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["留言主题", "留言详情", "一级分类"])
    for row in rows:
        book.active.append(list(row))
    book.save(path)
    return path


def test_train_command_from_a_file_maps_its_labels_to_the_tree(tree, tmp_path):
    names = {"light": "市政设施", "noise": "环境保护", "garbage": "市容环卫"}
    rows = [(t, c, names[label]) for label in names for t, c in texts(label, 40)]
    path = _labelled_xlsx(tmp_path / "labelled.xlsx", rows)
    out = StringIO()
    call_command(
        "triage", "train", "--from", str(path), "--text-col", "留言主题,留言详情", "--label-col", "一级分类",
        stdout=out,
    )  # fmt: skip
    model = TriageModel.objects.get(kind=Kind.CATEGORY_1)
    assert model.source == "file labelled.xlsx" and model.status == ModelStatus.CURRENT
    proposals = selectors.suggest_categories(title="向阳街路灯坏了", content="天黑后看不清台阶")
    assert proposals is not None and proposals.items[0].obj == tree["light"]


def test_train_command_from_a_file_names_the_labels_that_are_no_category(tree, tmp_path):
    from django.core.management.base import CommandError

    path = _labelled_xlsx(tmp_path / "bad.xlsx", [("路灯不亮", "漆黑", "市政设施"), ("噪音", "施工", "天文地理")])
    with pytest.raises(CommandError, match="天文地理"):
        call_command(
            "triage", "train", "--from", str(path), "--text-col", "留言主题,留言详情", "--label-col", "一级分类"
        )
    assert not TriageModel.objects.exists()
