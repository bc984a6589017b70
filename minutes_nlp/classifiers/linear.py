"""A calibrated linear model over word, syllable and character n-grams, with context.

underthesea's word segmenter sometimes glues a name to the cue verb
("Hùng_đề_nghị"), so raw syllable and character n-grams stand beside its
words; the previous sentence, the position in the contribution, the
speaker's role and the rule lexicon's cues are extra tokens.
"""

from __future__ import annotations

import re

import numpy as np
from scipy.sparse import hstack
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC
from underthesea import word_tokenize

from minutes_nlp.classifiers.inputs import as_items
from minutes_nlp.classifiers.rules import cues

_SYLLABLE = re.compile(r"[^\W_]+|[?!%]", re.UNICODE)


def _ngrams(tokens: list[str], n_max: int, prefix: str) -> list[str]:
    out = []
    for n in range(1, n_max + 1):
        for i in range(len(tokens) - n + 1):
            out.append(prefix + " ".join(tokens[i : i + n]))
    return out


def _position(item: dict) -> str:
    if item["n"] <= 1:
        return "only"
    if item["position"] == 0:
        return "first"
    return "last" if item["position"] >= item["n"] - 1 else "middle"


def sentence_tokens(item: dict, context: bool = True) -> list[str]:
    """Return the feature tokens of one sentence item (see module docstring)."""
    text = item["text"].lower()
    syllables = _SYLLABLE.findall(text)
    words = [w.replace(" ", "_") for w in word_tokenize(text)] if text.strip() else []
    tokens = _ngrams(words, 2, "W:") + _ngrams(syllables, 3, "S:")
    tokens += [f"CUE:{label}" for label, _ in cues(item["text"])]
    if context:
        prev = _SYLLABLE.findall(item["prev"].lower())
        tokens += _ngrams(prev, 2, "P:") + [f"PCUE:{label}" for label, _ in cues(item["prev"])][:2]
        tokens += [f"POS:{_position(item)}", f"ROLE:{item['role'] or 'none'}"]
    return tokens


def _identity(tokens):
    return tokens


class CompactTfidf(TfidfVectorizer):
    """A TfidfVectorizer whose vocabulary is saved as two arrays, not a dict of 100k entries,
    so the skops model file stays small and loads fast."""

    def __getstate__(self):
        state = dict(super().__getstate__())
        vocab = state.pop("vocabulary_", None)
        state.pop("stop_words_", None)
        if vocab is not None:
            terms = sorted(vocab, key=vocab.__getitem__)
            state["vocabulary_terms_"] = np.array(terms, dtype=str)
        return state

    def __setstate__(self, state):
        terms = state.pop("vocabulary_terms_", None)
        super().__setstate__(state)
        if terms is not None:
            self.vocabulary_ = {str(t): i for i, t in enumerate(terms)}


class LinearClassifier(ClassifierMixin, BaseEstimator):
    """Word + syllable + character n-grams and context into a calibrated linear model.

    ``model`` is "svm" (LinearSVC calibrated with sigmoid on 3 folds) or
    "logreg" (multinomial logistic regression, probabilistic by itself).
    """

    def __init__(
        self,
        model: str = "svm",
        C: float = 0.5,
        context: bool = True,
        char_ngrams: tuple = (2, 5),
        min_df: int = 2,
        max_char_features: int = 40000,
        seed: int = 13,
    ):
        self.model = model
        self.C = C
        self.context = context
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.max_char_features = max_char_features
        self.seed = seed

    def _features(self, items: list[dict], fit: bool):
        token_lists = [sentence_tokens(it, self.context) for it in items]
        texts = [it["text"].lower() for it in items]
        if fit:
            self.tokens_ = CompactTfidf(analyzer=_identity, min_df=self.min_df, sublinear_tf=True)
            self.chars_ = CompactTfidf(
                analyzer="char_wb",
                ngram_range=tuple(self.char_ngrams),
                min_df=max(self.min_df, 2),
                sublinear_tf=True,
                max_features=self.max_char_features,
            )
            features = hstack([self.tokens_.fit_transform(token_lists), self.chars_.fit_transform(texts)]).tocsr()
            return features
        return hstack([self.tokens_.transform(token_lists), self.chars_.transform(texts)]).tocsr()

    def fit(self, X, y):
        items = as_items(X)
        y = np.asarray(y)
        features = self._features(items, fit=True)
        if self.model == "logreg":
            clf = LogisticRegression(C=self.C * 20, max_iter=3000, class_weight="balanced", random_state=self.seed)
        elif self.model == "svm":
            base = LinearSVC(C=self.C, class_weight="balanced", random_state=self.seed)
            folds = int(min(3, np.unique(y, return_counts=True)[1].min()))
            clf = CalibratedClassifierCV(base, method="sigmoid", cv=folds) if folds >= 2 else base
        else:
            raise ValueError(f"model must be 'svm' or 'logreg', got {self.model!r}")
        self.clf_ = clf.fit(features, y)
        self.classes_ = self.clf_.classes_
        return self

    def predict_proba(self, X) -> np.ndarray:
        features = self._features(as_items(X), fit=False)
        if hasattr(self.clf_, "predict_proba"):
            return self.clf_.predict_proba(features)
        scores = self.clf_.decision_function(features)
        exp = np.exp(scores - scores.max(axis=1, keepdims=True))
        return exp / exp.sum(axis=1, keepdims=True)

    def predict(self, X) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def explain(self, X, top: int = 5) -> list[list[str]]:
        """The features that pushed each sentence towards its predicted label most."""
        items = as_items(X)
        features = self._features(items, fit=False)
        names = np.concatenate(
            [self.tokens_.get_feature_names_out(), ["C:" + c for c in self.chars_.get_feature_names_out()]]
        )
        coef = self._coef()
        out = []
        for i, label in enumerate(self.predict(items)):
            row = features[i]
            k = list(self.classes_).index(label)
            contrib = row.multiply(coef[k]).toarray().ravel()
            best = np.argsort(contrib)[::-1][:top]
            out.append([f"{names[j]} ({contrib[j]:+.2f})" for j in best if contrib[j] > 0])
        return out

    def _coef(self) -> np.ndarray:
        if isinstance(self.clf_, CalibratedClassifierCV):
            return np.mean([c.estimator.coef_ for c in self.clf_.calibrated_classifiers_], axis=0)
        return self.clf_.coef_
