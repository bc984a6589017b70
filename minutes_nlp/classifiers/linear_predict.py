"""The linear sentence classifier at prediction time: features and scores with numpy and scipy alone.

Training (``linear.py``) needs scikit-learn; labelling does not. Importing scikit-learn and skops costs
more than a second, most of a one-file ``analyze``, so the trained model is saved as plain arrays
(``linear.npz``, read without pickle, and ``linear.json``) that this module turns into the same
probabilities: tf-idf of the feature tokens and of the character n-grams, then the calibrated SVMs as
one sparse product. Character n-grams are looked up once per distinct word (they never cross a space).
"""

from __future__ import annotations

import json
import re
from itertools import chain
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack
from scipy.special import expit

from minutes_nlp.classifiers.cues import cues
from minutes_nlp.classifiers.inputs import as_items

_SYLLABLE = re.compile(r"[^\W_]+|[?!%]", re.UNICODE)
_PIECE = re.compile(r"[^\W_]+|[^\w\s]", re.UNICODE)  # syllables and every punctuation mark, as words see them


def _ngrams(tokens: list[str], n_max: int, prefix: str) -> list[str]:
    out = [prefix + t for t in tokens]
    if n_max >= 2:
        out += [f"{prefix}{a} {b}" for a, b in zip(tokens, tokens[1:])]
    if n_max >= 3:
        out += [f"{prefix}{a} {b} {c}" for a, b, c in zip(tokens, tokens[1:], tokens[2:])]
    for n in range(4, n_max + 1):
        out += [prefix + " ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
    return out


def _position(item: dict) -> str:
    if item["n"] <= 1:
        return "only"
    if item["position"] == 0:
        return "first"
    return "last" if item["position"] >= item["n"] - 1 else "middle"


def lexicon_words(syllables: list[str], lexicon, longest: int = 4) -> list[str]:
    """Syllables joined into words by greedy longest match against a lexicon of multi-syllable words."""
    sizes = _word_sizes(lexicon, longest)
    words, i, n = [], 0, len(syllables)
    while i < n:
        for size in sizes.get(syllables[i], ()):  # only the lengths of words that start with this syllable
            if i + size <= n:
                word = "_".join(syllables[i : i + size])
                if word in lexicon:
                    words.append(word)
                    i += size
                    break
        else:
            words.append(syllables[i])
            i += 1
    return words


_SIZES: dict[int, tuple[frozenset, int, dict]] = {}


def _word_sizes(lexicon, longest: int) -> dict[str, tuple[int, ...]]:
    """First syllable → the lengths (longest first, at most ``longest``) of the lexicon's words it starts."""
    known = _SIZES.get(id(lexicon))
    if known is None or known[0] is not lexicon or known[1] != longest:
        sizes: dict[str, set[int]] = {}
        for word in lexicon:
            parts = word.split("_")
            if 1 < len(parts) <= longest:
                sizes.setdefault(parts[0], set()).add(len(parts))
        known = (lexicon, longest, {k: tuple(sorted(v, reverse=True)) for k, v in sizes.items()})
        _SIZES[id(lexicon)] = known
    return known[2]


def sentence_tokens(item: dict, context: bool = True, syllable_n: int = 3, lexicon=frozenset()) -> list[str]:
    """Return the feature tokens of one sentence item: syllable n-grams, lexicon words and their pairs,
    the rule lexicon's cues, and (with context) the previous sentence, the position and the role."""
    low = item["text"].lower()
    tokens = _ngrams(_SYLLABLE.findall(low), syllable_n, "S:")
    if lexicon:
        tokens += _ngrams(lexicon_words(_PIECE.findall(low), lexicon), 2, "W:")
    tokens += [f"CUE:{label}" for label, _ in cues(item["text"])]
    if context:
        prev = _SYLLABLE.findall(item["prev"].lower())
        tokens += _ngrams(prev, 2, "P:") + [f"PCUE:{label}" for label, _ in cues(item["prev"])][:2]
        tokens += [f"POS:{_position(item)}", f"ROLE:{item['role'] or 'none'}"]
    return tokens


def char_wb_ngrams(word: str, low: int, high: int) -> list[str]:
    """scikit-learn's "char_wb" n-grams of one word: the word padded with a space on each side."""
    w = f" {word} "
    out = []
    for n in range(low, high + 1):
        if n >= len(w):
            out.append(w)  # a short word counts once, as a whole
            break
        out.extend(w[i : i + n] for i in range(len(w) - n + 1))
    return out


class _Tfidf:
    """Sublinear tf-idf with l2 rows over a fixed vocabulary (TfidfVectorizer's transform)."""

    def __init__(self, terms: np.ndarray, idf: np.ndarray):
        self.terms = terms
        self.vocabulary = {str(t): i for i, t in enumerate(terms)}
        self.idf = idf

    def transform(self, rows: list[list[int]]) -> csr_matrix:
        lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
        cols = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=int(lengths.sum()))
        x = csr_matrix(
            (np.ones(len(cols)), (np.repeat(np.arange(len(rows)), lengths), cols)),
            shape=(len(rows), len(self.vocabulary)),
        )
        x.sum_duplicates()
        np.log(x.data, out=x.data)
        x.data += 1.0
        x.data *= self.idf[x.indices]
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        x.data /= np.repeat(norms, np.diff(x.indptr))
        return x

    def ids(self, tokens: list[str]) -> list[int]:
        get = self.vocabulary.get
        return [j for j in map(get, tokens) if j is not None]


class LinearPredictor:
    """A trained ``linear`` model loaded for labelling: ``predict_proba``, ``predict``, ``explain``."""

    def __init__(self, arrays: dict, meta: dict):
        self.params = meta["params"]
        self.estimator_params = meta.get("estimator", {})
        self.classes_ = np.array(meta["classes"])
        self.kind = meta["kind"]  # "calibrated" (sigmoid-calibrated SVMs) or "softmax"
        self.tokens = _Tfidf(arrays["token_terms"], arrays["token_idf"])
        self.chars = _Tfidf(arrays["char_terms"], arrays["char_idf"])
        self.char_range = tuple(meta["char_ngrams"])
        self.lexicon = frozenset(str(w) for w in arrays["lexicon"])
        self.coef, self.intercept = arrays["coef"], arrays["intercept"]
        self.a, self.b = arrays.get("a"), arrays.get("b")
        self._word_ids: dict[str, list[int]] = {}

    ARRAYS = ("token_terms", "token_idf", "char_terms", "char_idf", "lexicon", "coef", "intercept", "a", "b")

    @classmethod
    def load_model(cls, directory: str | Path) -> LinearPredictor:
        directory = Path(directory)
        meta = json.loads((directory / "linear.json").read_text(encoding="utf-8"))
        with np.load(directory / "linear.npz", allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        return cls(arrays, meta)

    def __sklearn_clone__(self):
        """A new, unfitted LinearClassifier with the parameters this model was trained with (``evaluate --cv``)."""
        from minutes_nlp.classifiers.linear import LinearClassifier

        params = {k: tuple(v) if isinstance(v, list) else v for k, v in self.estimator_params.items()}
        return LinearClassifier(**params)

    def features(self, items: list[dict]) -> csr_matrix:
        context, n = self.params["context"], self.params["syllable_n"]
        token_rows = [self.tokens.ids(sentence_tokens(it, context, n, self.lexicon)) for it in items]
        char_rows = [self._char_ids(it["text"]) for it in items]
        return hstack([self.tokens.transform(token_rows), self.chars.transform(char_rows)]).tocsr()

    def _char_ids(self, text: str) -> list[int]:
        cache, out = self._word_ids, []
        for word in text.lower().split():
            ids = cache.get(word)
            if ids is None:
                ids = self.chars.ids(char_wb_ngrams(word, *self.char_range))
                if len(cache) < 200_000:
                    cache[word] = ids
            out += ids
        return out

    def predict_proba(self, X) -> np.ndarray:
        scores = self.features(as_items(X)) @ self.coef.T + self.intercept
        if self.kind == "softmax":
            exp = np.exp(scores - scores.max(axis=1, keepdims=True))
            return exp / exp.sum(axis=1, keepdims=True)
        return calibrated_proba(scores, self.a, self.b, len(self.classes_))

    def predict(self, X) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def explain(self, X, top: int = 5) -> list[list[str]]:
        """The features that pushed each sentence towards its predicted label most."""
        items = as_items(X)
        features = self.features(items)
        names = np.concatenate([self.tokens.terms, ["C:" + str(c) for c in self.chars.terms]])
        k = len(self.classes_)
        coef = self.coef.reshape(-1, k, self.coef.shape[1]).mean(axis=0)
        out = []
        for i, label in enumerate(self.predict(items)):
            contrib = features[i].multiply(coef[list(self.classes_).index(label)]).toarray().ravel()
            best = np.argsort(contrib)[::-1][:top]
            out.append([f"{names[j]} ({contrib[j]:+.2f})" for j in best if contrib[j] > 0])
        return out


def calibrated_proba(scores: np.ndarray, a: np.ndarray, b: np.ndarray, n_classes: int) -> np.ndarray:
    """CalibratedClassifierCV(LinearSVC, method="sigmoid").predict_proba from the stacked one-vs-rest scores
    of its SVMs: each score through its class's sigmoid, normalised per SVM, averaged over the SVMs."""
    proba = expit(-(a * scores + b)).reshape(len(scores), -1, n_classes)
    total = proba.sum(axis=2, keepdims=True)
    proba = np.divide(proba, total, out=np.full_like(proba, 1 / n_classes), where=total != 0)
    proba[(1.0 < proba) & (proba <= 1.0 + 1e-5)] = 1.0
    return proba.mean(axis=1)
