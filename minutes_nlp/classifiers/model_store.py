"""Model directories: a pickle-free model file, a model card and metrics.

A model directory holds ``card.json`` (what was trained on what, with which
libraries, and the model file's SHA-256), ``card.md`` (the same for people),
``metrics.json`` and the model itself: ``model.skops`` for scikit-learn
estimators (skops refuses any type not on our allow-list) or the estimator's
own pickle-free format (``save_model``/``load_model``, e.g. spaCy's).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from importlib.metadata import PackageNotFoundError, version
from importlib.resources import files
from pathlib import Path

from minutes_nlp.errors import MinutesError
from minutes_nlp.extras import import_for

FORMAT_VERSION = 1
TRUSTED_PREFIXES = ("minutes_nlp.", "sklearn.", "numpy.", "scipy.", "builtins.", "collections.")
LIBRARIES = ("minutes-nlp", "scikit-learn", "numpy", "scipy", "skops", "spacy", "underthesea")


class ModelError(MinutesError):
    """A model directory that is missing, untrusted, tampered with or incompatible."""


def library_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for lib in LIBRARIES:
        try:
            out[lib] = version(lib)
        except PackageNotFoundError:
            pass
    return out


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _class_path(obj) -> str:
    cls = type(obj)
    return f"{cls.__module__}:{cls.__qualname__}"


def _model_files(directory: Path) -> list[Path]:
    return sorted(
        p
        for p in directory.rglob("*")
        if p.is_file() and p.name not in ("card.json", "card.md", "metrics.json") and not p.name.endswith(".png")
    )


def _tree_sha256(directory: Path) -> str:
    h = hashlib.sha256()
    for p in _model_files(directory):
        h.update(str(p.relative_to(directory)).encode())
        h.update(file_sha256(p).encode())
    return h.hexdigest()


def save(estimator, directory: str | Path, card: dict, metrics: dict | None = None) -> Path:
    """Write estimator, its card and metrics to directory; return the directory."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for old in _model_files(directory):
        old.unlink()
    if hasattr(estimator, "save_model"):
        estimator.save_model(directory)
        storage = "native"
    else:
        import skops.io as sio

        sio.dump(estimator, directory / "model.skops")
        storage = "skops"
    card = {
        **card,
        "format_version": FORMAT_VERSION,
        # an estimator may name a lighter class that loads its saved files (the linear model's predictor)
        "class": getattr(estimator, "loaded_as", None) or _class_path(estimator),
        "storage": storage,
        "model_sha256": _tree_sha256(directory),
        "libraries": library_versions(),
    }
    (directory / "card.json").write_text(json.dumps(card, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    (directory / "card.md").write_text(render_card(card, metrics or {}), encoding="utf-8")
    if metrics is not None:
        (directory / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    return directory


def read_card(directory: str | Path) -> dict:
    directory = Path(directory)
    path = directory / "card.json"
    if not path.is_file():
        raise ModelError(
            str(directory),
            "not a model directory (no card.json)",
            "train one with 'minutes-nlp train --classifier NAME --out DIR'",
        )
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(str(path), f"unreadable model card ({exc})") from None


def _shipped_models() -> Path:
    """The shipped models: package data of minutes_nlp.models (the top-level models/ folder of a checkout)."""
    try:
        return Path(str(files("minutes_nlp.models")))
    except ModuleNotFoundError:  # a source checkout on sys.path without an install
        return Path(__file__).resolve().parents[2] / "models"


MODELS_DIR = _shipped_models()


def resolve(name_or_dir: str | Path) -> Path:
    """The model directory a --model value means.

    An existing directory wins. Otherwise a bare name (``default``) or the checkout spelling
    ``models/NAME`` is the shipped model NAME, looked up in $MINUTES_NLP_MODELS when set, else
    among the shipped models; anything else is returned as given, so the error names it.
    """
    path = Path(name_or_dir)
    if path.is_dir():
        return path
    parts = path.parts
    if len(parts) == 1 or (len(parts) == 2 and parts[0] == "models"):
        base = Path(os.environ.get("MINUTES_NLP_MODELS") or MODELS_DIR)
        return base / parts[-1]
    return path


def load(directory: str | Path):
    """Return the estimator saved in directory, refusing tampered, untrusted or incompatible files."""
    directory = Path(directory)
    card = read_card(directory)
    if card.get("format_version") != FORMAT_VERSION:
        raise ModelError(
            str(directory),
            f"model format {card.get('format_version')} is not {FORMAT_VERSION}",
            "retrain it with this version of minutes-nlp",
        )
    if _tree_sha256(directory) != card.get("model_sha256"):
        raise ModelError(
            str(directory),
            "model files do not match the SHA-256 in card.json: changed after training",
            "retrain the model or restore the original files",
        )
    module, _, name = card["class"].partition(":")
    if not module.startswith("minutes_nlp.") and card.get("storage") == "native":
        raise ModelError(str(directory), f"model class {card['class']} is not part of minutes_nlp")
    if card.get("storage") == "native":
        cls = getattr(import_for(module, str(directory)), name)
        return cls.load_model(directory)
    import skops.io as sio

    path = directory / "model.skops"
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:  # skops raises several types for a corrupt zip
        raise ModelError(str(path), f"corrupt or incompatible model file ({exc})", "retrain the model") from None
    refused = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES)]
    if refused:
        raise ModelError(
            str(path),
            f"model file contains types outside the allow-list: {', '.join(refused)}",
            "only load model files you trained yourself; see skops.io.get_untrusted_types",
        )
    try:
        return sio.load(path, trusted=untrusted)
    except Exception as exc:
        raise ModelError(
            str(path),
            f"model file cannot be loaded with the installed libraries ({exc})",
            f"trained with {card.get('libraries')}; retrain with 'minutes-nlp train'",
        ) from None


def render_card(card: dict, metrics: dict) -> str:
    """The model card as Markdown."""
    lines = [
        f"# Model card: {card.get('name', 'model')}",
        "",
        f"- classifier: `{card.get('classifier')}` (`{card.get('class')}`), stored as {card.get('storage')}",
        f"- parameters: `{json.dumps(card.get('params', {}), ensure_ascii=False, default=str)}`",
        f"- training data: `{card.get('corpus')}` sha256 `{card.get('corpus_sha256')}`, split `{card.get('train_split')}`"  # noqa: E501
        f" ({card.get('train_sentences')} sentences from {card.get('train_meetings')} meetings)",
        *[
            f"- data source ({d['role']}): `{d['path']}` sha256 `{d['sha256']}`, {d['records']} records, split "
            f"`{d['split']}`, {d['train_sentences']} training sentences"
            for d in card.get("data_sources", [])
        ],
        f"- seed: {card.get('seed')}; trained in {card.get('train_seconds')} s",
        f"- libraries: {', '.join(f'{k} {v}' for k, v in card.get('libraries', {}).items())}",
        "",
    ]
    for split, m in metrics.items():
        if not isinstance(m, dict) or "macro_f1" not in m:
            continue
        lines += [
            f"## {split}: macro-F1 {m['macro_f1']:.3f}, accuracy {m['accuracy']:.3f}",
            "",
            "| label | precision | recall | F1 | support |",
            "|---|---|---|---|---|",
        ]
        for label, row in m["per_label"].items():
            lines.append(
                f"| {label} | {row['precision']:.3f} | {row['recall']:.3f} | {row['f1']:.3f} | {row['support']} |"
            )
        if m.get("top_confusions"):
            lines += [
                "",
                "Top confusions (gold → predicted: count): "
                + "; ".join(f"{c['gold']} → {c['pred']}: {c['count']}" for c in m["top_confusions"]),
            ]
        lines.append("")
    if card.get("baselines"):
        lines += ["## Beside other classifiers (test macro-F1)", ""]
        lines += [f"- {k}: {v:.3f}" for k, v in card["baselines"].items()]
    return "\n".join(lines) + "\n"
