"""A calibrated linear model over syllable and character n-grams, with context.

Syllable n-grams up to four stand in for words: they need no word segmenter
(underthesea's CRF cost more than everything else put together) and they see
every word a segmenter would find, plus the ones it glues to a name
("Hùng_đề_nghị"). The previous sentence, the position in the contribution,
the speaker's role and the rule lexicon's cues are extra tokens.

Prediction is vectorised for speed: character n-grams are looked up once per
distinct word and the calibrated SVMs are one sparse product; both give the
same numbers as scikit-learn's own transform and predict_proba (tests check).
"""

from __future__ import annotations

import re

import numpy as np
from scipy.sparse import csr_matrix, hstack
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from minutes_nlp.classifiers.inputs import as_items
from minutes_nlp.classifiers.rules import cues

_SYLLABLE = re.compile(r"[^\W_]+|[?!%]", re.UNICODE)
_PIECE = re.compile(r"[^\W_]+|[^\w\s]", re.UNICODE)  # syllables and every punctuation mark, as words see them


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


def lexicon_words(syllables: list[str], lexicon: frozenset | set, longest: int = 4) -> list[str]:
    """Syllables joined into words by greedy longest match against a lexicon of multi-syllable words."""
    words, i, n = [], 0, len(syllables)
    while i < n:
        for size in range(min(longest, n - i), 1, -1):
            word = "_".join(syllables[i : i + size])
            if word in lexicon:
                words.append(word)
                i += size
                break
        else:
            words.append(syllables[i])
            i += 1
    return words


def learn_lexicon(texts: list[str]) -> list[str]:
    """The multi-syllable words underthesea's CRF segmenter finds in texts (training only), sorted."""
    from underthesea import word_tokenize  # training only: prediction matches against the lexicon

    found = set()
    for text in texts:
        for word in word_tokenize(text.lower()) if text.strip() else []:
            syllables = _SYLLABLE.findall(word)
            if len(syllables) > 1:
                found.add("_".join(syllables))
    return sorted(found)


def sentence_tokens(item: dict, context: bool = True, syllable_n: int = 3, lexicon=frozenset()) -> list[str]:
    """Return the feature tokens of one sentence item (see module docstring)."""
    syllables = _SYLLABLE.findall(item["text"].lower())
    tokens = _ngrams(syllables, syllable_n, "S:")
    if lexicon:
        tokens += _ngrams(lexicon_words(_PIECE.findall(item["text"].lower()), lexicon), 2, "W:")
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
    so the skops model file stays small and loads fast; its transform is the fast path of the
    module docstring for the two analyzers this module uses."""

    def __getstate__(self):
        state = dict(super().__getstate__())
        vocab = state.pop("vocabulary_", None)
        state.pop("stop_words_", None)
        state.pop("_word_ids", None)
        if vocab is not None:
            terms = sorted(vocab, key=vocab.__getitem__)
            state["vocabulary_terms_"] = np.array(terms, dtype=str)
        return state

    def __setstate__(self, state):
        terms = state.pop("vocabulary_terms_", None)
        super().__setstate__(state)
        if terms is not None:
            self.vocabulary_ = {str(t): i for i, t in enumerate(terms)}

    def transform(self, raw_documents):
        fast = self.analyzer is _identity or (self.analyzer == "char_wb" and self.lowercase and self.input == "content")
        if not fast or not hasattr(self, "vocabulary_"):
            return super().transform(raw_documents)
        ids = self._token_ids if self.analyzer is _identity else self._char_ids
        rows = [ids(doc) for doc in raw_documents]
        lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
        cols = np.fromiter((j for row in rows for j in row), dtype=np.int32, count=int(lengths.sum()))
        counts = csr_matrix(
            (np.ones(len(cols)), (np.repeat(np.arange(len(rows)), lengths), cols)),
            shape=(len(rows), len(self.vocabulary_)),
        )
        counts.sum_duplicates()  # equal to CountVectorizer's counts, indices sorted
        return self._tfidf.transform(counts, copy=False)

    def _token_ids(self, tokens: list[str]) -> list[int]:
        get = self.vocabulary_.get
        return [j for j in map(get, tokens) if j is not None]

    def _char_ids(self, text: str) -> list[int]:
        """The vocabulary ids of text's char_wb n-grams: n-grams never cross a space, so per word, cached."""
        cache = self.__dict__.setdefault("_word_ids", {})
        out: list[int] = []
        for word in text.lower().split():
            ids = cache.get(word)
            if ids is None:
                get = self.vocabulary_.get
                ids = [j for j in map(get, self._char_wb_ngrams(word)) if j is not None]
                if len(cache) < 200_000:
                    cache[word] = ids
            out += ids
        return out


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

    def _features(self, items: list[dict], fit: bool):
        if fit:
            self.lexicon_ = np.array(learn_lexicon([it["text"] for it in items]) if self.words else [], dtype=str)
            self.__dict__.pop("_lexicon", None)
        if "_lexicon" not in self.__dict__:
            self._lexicon = frozenset(str(w) for w in getattr(self, "lexicon_", ()))
        token_lists = [sentence_tokens(it, self.context, self.syllable_n, self._lexicon) for it in items]
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
        fast = self._sigmoid_svms()
        if fast is not None:
            return _calibrated_proba(features, *fast)
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

    def _sigmoid_svms(self):
        """(coef, intercept, a, b, k) of every calibrated SVM stacked, when clf_ is sigmoid-calibrated linear SVMs."""
        if "_stacked" in self.__dict__:
            return self._stacked
        self._stacked = None
        clf = self.clf_
        if isinstance(clf, CalibratedClassifierCV) and len(self.classes_) > 2:
            parts = clf.calibrated_classifiers_
            if all(
                isinstance(c.estimator, LinearSVC)
                and c.method == "sigmoid"
                and list(c.estimator.classes_) == list(self.classes_)
                for c in parts
            ):
                self._stacked = (
                    np.vstack([c.estimator.coef_ for c in parts]),
                    np.concatenate([c.estimator.intercept_ for c in parts]),
                    np.array([cal.a_ for c in parts for cal in c.calibrators], dtype=float),
                    np.array([cal.b_ for c in parts for cal in c.calibrators], dtype=float),
                    len(parts),
                )
        return self._stacked

    def __getstate__(self):
        state = dict(super().__getstate__())
        state.pop("_stacked", None)
        state.pop("_lexicon", None)
        return state

    def _coef(self) -> np.ndarray:
        if isinstance(self.clf_, CalibratedClassifierCV):
            return np.mean([c.estimator.coef_ for c in self.clf_.calibrated_classifiers_], axis=0)
        return self.clf_.coef_


def _calibrated_proba(features, coef, intercept, a, b, k: int) -> np.ndarray:
    """CalibratedClassifierCV(LinearSVC, "sigmoid").predict_proba as one product: each SVM's one-vs-rest
    scores through its per-class sigmoid, normalised per SVM, then averaged over the k SVMs."""
    scores = features @ coef.T + intercept
    proba = expit(-(a * scores + b)).reshape(len(scores), k, -1)
    total = proba.sum(axis=2, keepdims=True)
    n_classes = proba.shape[2]
    proba = np.divide(proba, total, out=np.full_like(proba, 1 / n_classes), where=total != 0)
    proba[(1.0 < proba) & (proba <= 1.0 + 1e-5)] = 1.0
    return proba.mean(axis=1)
