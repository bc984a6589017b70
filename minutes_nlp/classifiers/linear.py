"""Train the ``linear`` sentence classifier: a calibrated linear model over syllable, word and character
n-grams, with context.

Words come from a lexicon, not from a word segmenter at prediction time: underthesea's CRF segments the
training sentences once, its multi-syllable words become the lexicon, and every sentence (in training
and after) is cut into words by greedy longest match against it (``linear_predict.lexicon_words``).
Syllable n-grams stand beside the words, since the segmenter sometimes glues a name to the cue verb
("Hùng_đề_nghị"). The previous sentence, the position in the contribution, the speaker's role and the
rule lexicon's cues are extra tokens. The fitted model is saved as plain arrays and labels sentences
through ``linear_predict.LinearPredictor``, which needs no scikit-learn.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
from scipy.sparse import hstack
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from minutes_nlp.classifiers.inputs import as_items
from minutes_nlp.classifiers.linear_predict import _SYLLABLE, LinearPredictor, sentence_tokens


def learn_lexicon(texts: list[str]) -> list[str]:
    """The multi-syllable words underthesea's CRF segmenter finds in texts, sorted (training only)."""
    from underthesea import word_tokenize

    found = set()
    for text in texts:
        for word in word_tokenize(text.lower()) if text.strip() else []:
            syllables = _SYLLABLE.findall(word)
            if len(syllables) > 1:
                found.add("_".join(syllables))
    return sorted(found)


def _identity(tokens):
    return tokens


class CompactTfidf(TfidfVectorizer):
    """A TfidfVectorizer whose vocabulary is saved as two arrays, not a dict of 100k entries
    (the vectorizers of skops model files written before the arrays format)."""

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
    """Syllable, word and character n-grams and context into a calibrated linear model.

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
        syllable_n: int = 3,
        words: bool = True,
        seed: int = 13,
    ):
        self.model = model
        self.C = C
        self.context = context
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.max_char_features = max_char_features
        self.syllable_n = syllable_n
        self.words = words
        self.seed = seed

    def fit(self, X, y):
        items = as_items(X)
        y = np.asarray(y)
        lexicon = learn_lexicon([it["text"] for it in items]) if self.words else []
        tokens = CompactTfidf(analyzer=_identity, min_df=self.min_df, sublinear_tf=True)
        chars = CompactTfidf(
            analyzer="char_wb",
            ngram_range=tuple(self.char_ngrams),
            min_df=max(self.min_df, 2),
            sublinear_tf=True,
            max_features=self.max_char_features,
        )
        token_lists = [sentence_tokens(it, self.context, self.syllable_n, frozenset(lexicon)) for it in items]
        features = hstack(
            [tokens.fit_transform(token_lists), chars.fit_transform([it["text"].lower() for it in items])]
        ).tocsr()
        if self.model == "logreg":
            clf = LogisticRegression(C=self.C * 20, max_iter=3000, class_weight="balanced", random_state=self.seed)
        elif self.model == "svm":
            base = LinearSVC(C=self.C, class_weight="balanced", random_state=self.seed)
            folds = int(min(3, np.unique(y, return_counts=True)[1].min()))
            clf = CalibratedClassifierCV(base, method="sigmoid", cv=folds) if folds >= 2 else base
        else:
            raise ValueError(f"model must be 'svm' or 'logreg', got {self.model!r}")
        self.clf_, self.tokens_, self.chars_ = clf.fit(features, y), tokens, chars  # kept in memory, not saved
        self.classes_ = clf.classes_
        self.arrays_, self.meta_ = _arrays(clf, tokens, chars, lexicon, self.get_params())
        self.predictor_ = LinearPredictor(self.arrays_, self.meta_)
        return self

    def __setstate__(self, state):
        if "clf_" in state and "predictor_" not in state:  # a skops file of a release that used CRF words
            raise ValueError("a linear model of an older minutes-nlp, whose features this release cannot compute")
        super().__setstate__(state)

    def predict_proba(self, X) -> np.ndarray:
        return self.predictor_.predict_proba(X)

    def predict(self, X) -> np.ndarray:
        return self.predictor_.predict(X)

    def explain(self, X, top: int = 5) -> list[list[str]]:
        """The features that pushed each sentence towards its predicted label most."""
        return self.predictor_.explain(X, top)

    # model_store writes the card naming this class, which loads the arrays without scikit-learn
    loaded_as = "minutes_nlp.classifiers.linear_predict:LinearPredictor"

    def save_model(self, directory: str | Path) -> None:
        directory = Path(directory)
        _save_npz(directory / "linear.npz", self.arrays_)
        (directory / "linear.json").write_text(json.dumps(self.meta_, indent=1), encoding="utf-8")


def _arrays(clf, tokens: CompactTfidf, chars: CompactTfidf, lexicon: list[str], params: dict) -> tuple[dict, dict]:
    """The fitted model as named arrays and a small JSON-able description (see linear_predict)."""

    def terms(vec):
        return np.array(sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__), dtype=str)

    arrays = {
        "token_terms": terms(tokens),
        "token_idf": tokens.idf_,
        "char_terms": terms(chars),
        "char_idf": chars.idf_,
        "lexicon": np.array(lexicon, dtype=str),
    }
    classes = [str(c) for c in clf.classes_]
    if isinstance(clf, CalibratedClassifierCV):
        parts = clf.calibrated_classifiers_
        if any(list(c.estimator.classes_) != list(clf.classes_) for c in parts):
            raise ValueError("a calibrated SVM saw another set of labels; give every label several sentences")
        arrays["coef"] = np.vstack([c.estimator.coef_ for c in parts])
        arrays["intercept"] = np.concatenate([c.estimator.intercept_ for c in parts])
        arrays["a"] = np.array([cal.a_ for c in parts for cal in c.calibrators], dtype=float)
        arrays["b"] = np.array([cal.b_ for c in parts for cal in c.calibrators], dtype=float)
        kind = "calibrated"
    else:
        arrays["coef"], arrays["intercept"] = clf.coef_, clf.intercept_
        kind = "softmax"
    meta = {
        "kind": kind,
        "classes": classes,
        "char_ngrams": list(chars.ngram_range),
        "params": {"context": params["context"], "syllable_n": params["syllable_n"]},
        "estimator": {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()},  # to clone for --cv
    }
    return arrays, meta


def _save_npz(path: Path, arrays: dict) -> None:
    """np.savez_compressed with fixed timestamps, so the same training writes the same bytes (and card hash)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, array in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.asarray(array), allow_pickle=False)
            zf.writestr(
                zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0)), buf.getvalue(), zipfile.ZIP_DEFLATED
            )
