"""The service's sentence model: install a trained model after checks, switch to it, know which one is in use.

Installed models live in ``<data_dir>/models/NAME``; the file ``<data_dir>/active-model`` names the one
the service loads (``MINUTES_NLP_MODEL`` or ``serve --model`` still win). A model is installed only if
its card is complete, its files match the card's SHA-256 and load without pickle (skops allow-list or
the estimator's own format), and it is not worse than the model in use on the corpus test split and
on the corrected meetings of the service (unless forced).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from minutes_nlp.classifiers import sentence_items
from minutes_nlp.classifiers.evaluate import metrics
from minutes_nlp.classifiers.model_store import ModelError, load, read_card
from minutes_nlp.errors import MinutesError
from minutes_nlp.i18n import _

PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib", ".pt", ".bin")
CARD_FIELDS = ("name", "classifier", "class", "storage", "model_sha256", "libraries", "train_split")


def models_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "models"


def active_model(data_dir: Path) -> str | None:
    """The directory of the model use-model chose, or None (then the shipped default)."""
    marker = Path(data_dir) / "active-model"
    if not marker.is_file():
        return None
    name = marker.read_text(encoding="utf-8").strip()
    return str(models_dir(data_dir) / name) if name else None


def check_model(directory: Path):
    """The loaded estimator of a model directory, after the card and safe-format checks (ModelError otherwise)."""
    card = read_card(directory)
    missing = [f for f in CARD_FIELDS if not card.get(f)]
    if missing:
        raise ModelError(str(directory), _("the model card lacks {fields}").format(fields=", ".join(missing)))
    if card["storage"] not in ("skops", "native"):
        raise ModelError(str(directory), _("the model is not stored in a safe format (skops or the library's own)"))
    unsafe = [p.name for p in Path(directory).rglob("*") if p.suffix.lower() in PICKLE_SUFFIXES]
    if unsafe:
        raise ModelError(str(directory), _("pickle files are not accepted: {files}").format(files=", ".join(unsafe)))
    return load(directory)


def macro_f1(estimator, records: list[dict], split: str | None) -> float | None:
    items, labels, _groups = sentence_items(records, split)
    if not items:
        return None
    return round(metrics(labels, list(estimator.predict(items)))["macro_f1"], 4)


def compare(new, current, corpus: list[dict], corrected: list[dict]) -> dict:
    """Macro-F1 of the new and the current model on the corpus test split and on the corrected meetings."""
    return {
        "test": {"new": macro_f1(new, corpus, "test"), "current": macro_f1(current, corpus, "test")},
        "corrected": {"new": macro_f1(new, corrected, None), "current": macro_f1(current, corrected, None)},
    }


def worse(scores: dict, tolerance: float = 0.005) -> list[str]:
    """The data sets on which the new model scores below the current one by more than tolerance."""
    return [
        where
        for where, s in scores.items()
        if s["new"] is not None and s["current"] is not None and s["new"] < s["current"] - tolerance
    ]


def install(directory: Path, data_dir: Path, name: str | None = None) -> Path:
    """Copy a checked model directory to the service's models folder; return where it went."""
    target = models_dir(data_dir) / (name or Path(directory).name)
    if target.exists():
        raise MinutesError(str(target), _("a model of that name is installed already; choose another --name"))
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(directory, target)
    return target


def use(data_dir: Path, name: str) -> Path:
    """Make the installed model name the one the service loads (after a restart); check it first."""
    target = models_dir(data_dir) / name
    if not target.is_dir():
        raise MinutesError(
            name, _("no installed model of that name; install it with 'minutes-nlp admin install-model'")
        )
    check_model(target)
    (Path(data_dir) / "active-model").write_text(name + "\n", encoding="utf-8")
    return target
