"""Train a sentence classifier on the corpus and write a model directory."""

from __future__ import annotations

import time
from pathlib import Path

from minutes_nlp.classifiers import get_classifier, sentence_items
from minutes_nlp.classifiers.evaluate import metrics, plot_confusion
from minutes_nlp.classifiers.model_store import file_sha256, save
from minutes_nlp.corpus.dataset import load as load_corpus
from minutes_nlp.errors import CorpusError
from minutes_nlp.extras import require
from minutes_nlp.i18n import _

# The annotated corpus lives in the source repository, not in the installed package.
DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "corpora" / "minutes" / "minutes.jsonl"


def default_corpus() -> Path:
    """The checkout's corpus, or a CorpusError saying an installed package has none and what to pass."""
    if DEFAULT_CORPUS.is_file():
        return DEFAULT_CORPUS
    raise CorpusError(
        "corpora/minutes/minutes.jsonl",
        _("the annotated corpus is not installed with the package, only kept in the source repository"),
        _("pass --corpus FILE.jsonl, or run from a checkout of minutes_nlp"),
    )


def train(
    classifier: str,
    corpus: str | Path | None = None,
    out: str | Path = "models/default",
    seed: int = 13,
    params: dict | None = None,
    train_split: str = "train",
    baselines: list[str | Path] = (),
    extra: list[str | Path] = (),
) -> dict:
    """Fit the named classifier on the corpus' train split, score dev and test, save to out; return metrics.

    ``corpus`` defaults to the checkout's corpora/minutes/minutes.jsonl. ``extra`` corpus files (e.g.
    ``minutes-nlp corrections export``) are trained on whole, whatever their split; dev and test stay
    the corpus's own. The card lists every data source with its SHA-256.
    """
    require("plots", f"{out} (training draws the confusion matrices)")
    corpus = Path(corpus) if corpus else default_corpus()
    records = load_corpus(corpus)
    params = dict(params or {})
    estimator = get_classifier(classifier, **params)
    if "seed" in estimator.get_params():
        estimator.set_params(seed=seed)
    splits = train_split.split("+")
    items, labels = [], []
    for split in splits:
        x, y, _groups = sentence_items(records, split)
        items += x
        labels += y
    sources = [_source(corpus, "corpus", len(records), len(items), train_split)]
    for path in extra:
        extra_records = load_corpus(path)
        x, y, _groups = sentence_items(extra_records)
        items += x
        labels += y
        sources.append(_source(Path(path), "extra", len(extra_records), len(x), "all"))
    started = time.perf_counter()
    estimator.fit(items, labels)
    seconds = round(time.perf_counter() - started, 2)
    results = {}
    for split in ("dev", "test"):
        if split in splits:
            continue  # scores on sentences the model was trained on would mislead
        x, y, _groups = sentence_items(records, split)
        if x:
            results[split] = metrics(y, list(estimator.predict(x)))
    card = {
        "name": Path(out).name,
        "classifier": classifier,
        "params": estimator.get_params(),
        "seed": seed,
        "corpus": _shown(corpus),
        "corpus_sha256": file_sha256(corpus),
        "train_split": train_split,
        "train_sentences": len(items),
        "train_meetings": len({r["id"] for r in records if r["meta"].get("split") in splits}),
        "train_seconds": seconds,
        "baselines": _baseline_scores(baselines),
        "data_sources": sources,
    }
    out = save(estimator, out, card, results)
    for split, m in results.items():
        plot_confusion(m, out / f"confusion-{split}.png", f"{classifier}: {split}")
    return results


def _source(path: Path, role: str, records: int, sentences: int, split: str) -> dict:
    return {
        "path": _shown(Path(path)),
        "role": role,
        "sha256": file_sha256(Path(path)),
        "records": records,
        "split": split,
        "train_sentences": sentences,
    }


def _shown(path: Path) -> str:
    """The path relative to the project when it lies inside it, so cards do not name a machine's folders."""
    try:
        return str(path.resolve().relative_to(DEFAULT_CORPUS.parents[2]))
    except ValueError:
        return str(path)


def _baseline_scores(dirs) -> dict[str, float]:
    """Test macro-F1 of other model directories, to print beside this one in its card."""
    import json

    scores = {}
    for d in dirs:
        d = Path(d)
        card = json.loads((d / "card.json").read_text(encoding="utf-8"))
        metrics = json.loads((d / "metrics.json").read_text(encoding="utf-8"))
        scores[f"{card.get('classifier')} ({d.name})"] = metrics["test"]["macro_f1"]
    return scores
