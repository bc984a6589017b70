"""A scikit-learn estimator that trains a spaCy text classifier on our sentences.

    >>> clf = SpacyTextcatClassifier(max_epochs=10).fit(items, labels)
    >>> clf.predict(["Đề nghị chi bộ phân công đảng viên phụ trách từng tổ."])
    array(['proposal'], dtype='<U9')

The pipeline is described by a spaCy config (``spacy_textcat.cfg`` beside
this module by default) whose tokenizer is ``minutes_nlp.classifiers.vi_tokenizer``. Training
uses spaCy's own loop API (``nlp.initialize``, ``nlp.update``) with early
stopping on a seeded 10% of the training data. Models are saved with spaCy's
``to_disk`` plus a JSON file: no pickle anywhere.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import spacy
from sklearn.base import BaseEstimator, ClassifierMixin
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import fix_random_seed, load_config, load_model_from_config, minibatch

from minutes_nlp.classifiers import vi_tokenizer  # noqa: F401  (registers "minutes_nlp.vi_tokenizer" for configs)
from minutes_nlp.classifiers.inputs import LABELS, as_items
from minutes_nlp.errors import MinutesError

DEFAULT_CONFIG = Path(__file__).with_name("spacy_textcat.cfg")
MODEL_JSON = "textcat.json"
FORMAT_VERSION = 1
PREV_MARK = "‹"  # prefix of the previous sentence's tokens, so they are features apart from the sentence's own
SEPARATOR = "|||"


def _macro_f1(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> float:
    """Return the unweighted mean over ``labels`` of per-label F1 (0 for a label never gold nor predicted)."""
    scores = []
    for lab in labels:
        tp = sum(g == lab and p == lab for g, p in zip(gold, pred))
        fp = sum(g != lab and p == lab for g, p in zip(gold, pred))
        fn = sum(g == lab and p != lab for g, p in zip(gold, pred))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(scores)) if scores else 0.0


class SpacyTextcatClassifier(ClassifierMixin, BaseEstimator):
    """Sentence classifier over the five codebook labels, trained with spaCy's textcat.

    Parameters
    ----------
    max_epochs: passes over the training data at most.
    patience: epochs without a better held-out macro-F1 before training stops.
    seed: seeds the held-out split, the shuffling and spaCy/thinc/numpy (``fix_random_seed``).
    use_context: put the previous sentence of the contribution (``prev``) before the
        sentence, its tokens marked with "‹" so they are features of their own.
    config_path: a spaCy config; None means the packaged ``spacy_textcat.cfg``.
    dropout: dropout rate in ``nlp.update``.
    batch_size: examples per update.
    holdout: share of the training data held out for early stopping (0 trains all epochs on all data).
    """

    def __init__(
        self,
        max_epochs: int = 20,
        patience: int = 3,
        seed: int = 13,
        use_context: bool = False,
        config_path: str | Path | None = None,
        dropout: float = 0.2,
        batch_size: int = 16,
        holdout: float = 0.1,
    ):
        self.max_epochs = max_epochs
        self.patience = patience
        self.seed = seed
        self.use_context = use_context
        self.config_path = config_path
        self.dropout = dropout
        self.batch_size = batch_size
        self.holdout = holdout

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.non_deterministic = False
        return tags

    # -- building ---------------------------------------------------------------------------

    def _build_nlp(self) -> Language:
        path = Path(self.config_path) if self.config_path is not None else DEFAULT_CONFIG
        try:
            config = load_config(path, interpolate=False)
        except (OSError, ValueError) as err:
            raise MinutesError(
                path, f"cannot read the spaCy config: {err}", "pass config_path pointing at a spaCy .cfg file"
            ) from err
        config["system"]["seed"] = self.seed
        nlp = load_model_from_config(config, auto_fill=True, validate=True)
        if "textcat" not in nlp.pipe_names:
            raise MinutesError(path, "the config has no 'textcat' component", "add a [components.textcat] block")
        return nlp

    def _docs(self, nlp: Language, items: list[dict]) -> list[Doc]:
        """Return one Doc per item: the sentence, after its marked previous sentence when use_context."""
        docs = []
        for item in items:
            doc = nlp.make_doc(item["text"])
            if self.use_context and item["prev"]:
                prev = [t for t in nlp.make_doc(item["prev"]) if not t.is_space]
                own = [t for t in doc if not t.is_space]
                words = [PREV_MARK + t.text for t in prev] + [SEPARATOR] + [t.text for t in own]
                norms = [PREV_MARK + t.norm_ for t in prev] + [SEPARATOR] + [t.norm_ for t in own]
                doc = Doc(nlp.vocab, words=words, spaces=[True] * len(words))
                for token, norm in zip(doc, norms):
                    token.norm_ = norm
            docs.append(doc)
        return docs

    def _examples(self, docs: list[Doc], y: list[str], classes: list[str]) -> list[Example]:
        return [Example.from_dict(doc, {"cats": {c: float(c == lab) for c in classes}}) for doc, lab in zip(docs, y)]

    # -- fitting ----------------------------------------------------------------------------

    def fit(self, X: Iterable, y: Iterable[str]) -> SpacyTextcatClassifier:
        """Train a fresh pipeline on X, y and return self."""
        items, labels = as_items(X), [str(lab) for lab in y]
        if len(items) != len(labels):
            raise ValueError(f"X has {len(items)} sentences but y has {len(labels)} labels")
        unknown = sorted(set(labels) - set(LABELS))
        if unknown:
            raise ValueError(f"unknown labels {unknown}; expected some of {list(LABELS)}")
        classes = [lab for lab in LABELS if lab in set(labels)]
        if len(classes) < 2:
            raise ValueError(f"need sentences of at least 2 labels to train, got {classes}")

        fix_random_seed(self.seed)
        rng = random.Random(self.seed)
        nlp = self._build_nlp()
        textcat = nlp.get_pipe("textcat")
        for lab in classes:
            textcat.add_label(lab)
        examples = self._examples(self._docs(nlp, items), labels, classes)

        order = list(range(len(examples)))
        rng.shuffle(order)
        n_held = int(round(self.holdout * len(examples))) if len(examples) >= 20 else 0
        held = [examples[i] for i in order[:n_held]]
        train = [examples[i] for i in order[n_held:]]

        optimizer = nlp.initialize(lambda: train[:100])
        best_score, best_weights, since_best = -1.0, None, 0
        self.n_epochs_, self.best_epoch_, self.holdout_scores_ = 0, 0, []
        for epoch in range(1, self.max_epochs + 1):
            rng.shuffle(train)
            losses: dict[str, float] = {}
            for batch in minibatch(train, size=self.batch_size):
                nlp.update(batch, drop=self.dropout, sgd=optimizer, losses=losses)
            self.n_epochs_ = epoch
            if not held:
                continue
            gold = [max(ex.reference.cats, key=ex.reference.cats.__getitem__) for ex in held]
            pred = [
                max(doc.cats, key=doc.cats.__getitem__)
                for doc in nlp.pipe([ex.predicted.copy() for ex in held], batch_size=256)
            ]
            score = _macro_f1(gold, pred, classes)
            self.holdout_scores_.append(score)
            if score > best_score:
                best_score, best_weights, since_best = score, textcat.model.to_bytes(), 0
                self.best_epoch_ = epoch
            else:
                since_best += 1
                if since_best >= self.patience:
                    break
        if best_weights is not None:
            textcat.model.from_bytes(best_weights)
        else:
            self.best_epoch_ = self.n_epochs_
        self.nlp_ = nlp
        self.classes_ = np.array(classes)
        return self

    # -- predicting -------------------------------------------------------------------------

    def _check_fitted(self) -> None:
        if not hasattr(self, "nlp_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("SpacyTextcatClassifier is not fitted yet; call fit(X, y) or load_model(path)")

    def predict_proba(self, X: Iterable) -> np.ndarray:
        """Return an n×k array of label probabilities, columns in ``classes_`` order, rows summing to 1."""
        self._check_fitted()
        items = as_items(X)
        proba = np.zeros((len(items), len(self.classes_)), dtype=float)
        docs = self._docs(self.nlp_, items)
        for i, doc in enumerate(self.nlp_.pipe(docs, batch_size=256)):
            proba[i] = [doc.cats.get(c, 0.0) for c in self.classes_]
        sums = proba.sum(axis=1, keepdims=True)
        sums[sums == 0] = 1.0
        return proba / sums

    def predict(self, X: Iterable) -> np.ndarray:
        """Return the most probable label of each sentence."""
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)] if len(proba) else np.array([], dtype=self.classes_.dtype)

    # -- persistence ------------------------------------------------------------------------

    def save_model(self, path: Path) -> None:
        """Write the spaCy pipeline to ``path/spacy`` and the parameters and classes to ``path/textcat.json``."""
        self._check_fitted()
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self.nlp_.to_disk(path / "spacy")
        params = self.get_params()
        if params["config_path"] is not None:
            params["config_path"] = str(params["config_path"])
        meta = {
            "format": FORMAT_VERSION,
            "estimator": type(self).__name__,
            "params": params,
            "classes": [str(c) for c in self.classes_],
            "spacy": spacy.__version__,
            "n_epochs": self.n_epochs_,
            "best_epoch": self.best_epoch_,
        }
        (path / MODEL_JSON).write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")

    @classmethod
    def load_model(cls, path: Path) -> SpacyTextcatClassifier:
        """Return the estimator saved by ``save_model`` at ``path``; MinutesError if it is missing or corrupt."""
        path = Path(path)
        fix = "save a model there with SpacyTextcatClassifier.save_model(path)"
        if not path.is_dir():
            raise MinutesError(path, "no such model folder", fix)
        try:
            meta = json.loads((path / MODEL_JSON).read_text(encoding="utf-8"))
        except FileNotFoundError as err:
            raise MinutesError(path, f"{MODEL_JSON} is missing: not a saved spaCy textcat model", fix) from err
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise MinutesError(path, f"{MODEL_JSON} is corrupt: {err}", fix) from err
        if not isinstance(meta, dict) or meta.get("format") != FORMAT_VERSION or meta.get("estimator") != cls.__name__:
            raise MinutesError(path, f"{MODEL_JSON} is not a format-{FORMAT_VERSION} {cls.__name__} file", fix)
        params, classes = meta.get("params"), meta.get("classes")
        valid = cls().get_params()
        if (
            not isinstance(params, dict)
            or set(params) - set(valid)
            or not isinstance(classes, list)
            or not classes
            or set(classes) - set(LABELS)
        ):
            raise MinutesError(path, f"{MODEL_JSON} has invalid params or classes", fix)
        try:
            nlp = spacy.load(path / "spacy")
        except Exception as err:  # spaCy raises many types for a broken folder; all mean "cannot load"
            raise MinutesError(path, f"the spaCy pipeline in {path / 'spacy'} cannot be loaded: {err}", fix) from err
        if "textcat" not in nlp.pipe_names or set(classes) != set(nlp.get_pipe("textcat").labels):
            raise MinutesError(path, "the spaCy pipeline's textcat labels do not match the saved classes", fix)
        est = cls(**params)
        est.nlp_ = nlp
        est.classes_ = np.array(classes)
        est.n_epochs_ = int(meta.get("n_epochs") or 0)
        est.best_epoch_ = int(meta.get("best_epoch") or 0)
        est.holdout_scores_ = []
        return est
