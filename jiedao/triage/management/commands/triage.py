"""`jiedao triage train|eval`: train the suggestion models, or measure the classifier on two files."""

from __future__ import annotations

from pathlib import Path
from time import perf_counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiedao.core.errors import DomainError
from jiedao.triage import examples as ex
from jiedao.triage import store
from jiedao.triage.choices import Kind, ModelStatus
from jiedao.triage.classifier import TextClassifier, evaluate, prepare_all
from jiedao.triage.models import TriageModel
from jiedao.triage.progress import ProgressBar
from jiedao.triage.services import triage_train


def _columns(value: str) -> list[str]:
    return [c.strip() for c in value.split(",") if c.strip()]


class Command(BaseCommand):
    help = "Train the triage models (from closed cases or a file), or evaluate the classifier on two files."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        train = sub.add_parser("train", help="train and, if it scores at least as well, put a model in use")
        train.add_argument(
            "--kind",
            choices=[*Kind.values, "all"],
            default="all",
            help="which model (default: every kind the data allows)",
        )
        train.add_argument("--from", dest="source", type=Path, help="a .csv or .xlsx file instead of the closed cases")
        train.add_argument("--text-col", default="", help="text column(s), comma-separated: subject first, then body")
        train.add_argument("--label-col", default="", help="label column: category names at --level")
        train.add_argument("--level", type=int, choices=(1, 2, 3), default=1, help="tree level of a file's labels")
        train.add_argument("--if-missing", action="store_true", help="only the kinds without a model in use")
        evaluate_ = sub.add_parser("eval", help="train on one file, evaluate on another; last line macro_f1=…")
        evaluate_.add_argument("--train", required=True, type=Path)
        evaluate_.add_argument("--test", required=True, type=Path)
        evaluate_.add_argument("--text-col", required=True, help="text column(s), comma-separated")
        evaluate_.add_argument("--label-col", required=True)
        evaluate_.add_argument("--test-text-col", default="", help="the test file's text column(s), if different")
        evaluate_.add_argument("--test-label-col", default="", help="the test file's label column, if different")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["verb"] == "eval":
                self._eval(options)
            else:
                self._train(options)
        except DomainError as exc:
            raise CommandError(exc.message) from None

    def _eval(self, options: dict[str, Any]) -> None:
        text_cols = _columns(options["text_col"])
        train = ex.from_file(options["train"], text_cols=text_cols, label_col=options["label_col"])
        test = ex.from_file(
            options["test"],
            text_cols=_columns(options["test_text_col"]) or text_cols,
            label_col=options["test_label_col"] or options["label_col"],
        )
        bar = ProgressBar()
        started = perf_counter()
        classifier = TextClassifier().fit(prepare_all([e.doc for e in train], bar), [e.label for e in train], bar)
        trained = perf_counter() - started
        result = evaluate(classifier.predict, [e.doc for e in test], [e.label for e in test])
        out = self.stdout
        out.write(f"train={options['train'].name} examples={len(train)} classes={len(classifier.classes)}")
        out.write(f"train_seconds={trained:.1f}")
        out.write(f"test={options['test'].name} examples={result.n}")
        unknown = sorted({e.label for e in test} - set(classifier.classes))
        if unknown:
            out.write(f"labels_not_in_training={','.join(unknown)}")
        for label, (f1, support) in sorted(result.per_class.items()):
            out.write(f"f1[{label}]={f1:.4f} support={support}")
        out.write(f"messages_per_second={result.per_second:.0f}")
        out.write(f"accuracy={result.accuracy:.4f}")
        out.write(f"macro_f1={result.macro_f1:.4f}")

    def _train(self, options: dict[str, Any]) -> None:
        kinds = list(Kind.values) if options["kind"] == "all" else [options["kind"]]
        source: Path | None = options["source"]
        if source is not None:
            if not options["text_col"] or not options["label_col"]:
                raise CommandError("--from needs --text-col and --label-col")
            kinds = [f"category_{options['level']}"]
            file_examples = _file_as_categories(source, options)
        if options["if_missing"]:
            in_use = {
                kind
                for kind, file in TriageModel.objects.filter(status=ModelStatus.CURRENT).values_list("kind", "file")
                if store.readable(file)
            }
            kinds = [k for k in kinds if k not in in_use]
        bar = ProgressBar()
        for kind in kinds:
            found = file_examples if source is not None else ex.from_cases(kind)
            label = f"file {source.name}" if source is not None else "closed cases"
            self.stdout.write(f"{kind}: {len(found)} examples from {label}")
            try:
                outcome = triage_train(kind=kind, examples=found, source=label, progress=bar)
            except DomainError as exc:
                if options["kind"] == "all":
                    self.stdout.write(f"{kind}: skipped: {exc.message}")
                    continue
                raise
            model = outcome.model
            self.stdout.write(
                f"{kind}: v{model.version} macro_f1={model.macro_f1:.4f} accuracy={model.accuracy:.4f} "
                f"heldout={model.heldout} {model.get_status_display()}: {model.decision}"
            )


def _file_as_categories(source: Path, options: dict[str, Any]) -> list[ex.Example]:
    """A file's examples with their labels turned into category codes of the tree at --level.

    Raises CommandError listing the labels that name no active category of that level.
    """
    from jiedao.categories.models import Category

    found = ex.from_file(source, text_cols=_columns(options["text_col"]), label_col=options["label_col"])
    codes = dict(Category.objects.filter(level=options["level"], is_active=True).values_list("name", "code"))
    unknown = sorted({e.label for e in found} - set(codes))
    if unknown:
        raise CommandError(
            f"{source.name}: labels that are no level-{options['level']} category: {', '.join(unknown[:10])}"
        )
    return [ex.Example(key=e.key, doc=e.doc, label=codes[e.label]) for e in found]
