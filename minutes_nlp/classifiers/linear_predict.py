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
from collections import ChainMap
from functools import cached_property
from itertools import chain, compress, repeat
from operator import itemgetter
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
    starts = list(map(sizes.get, syllables))  # the lengths of the words each syllable may start, or None
    words, i, n = [], 0, len(syllables)
    for k in compress(range(n), starts):  # only where a word may start, left to right
        if k < i:
            continue  # inside the word just taken
        for size in starts[k]:  # longest first
            if k + size <= n:
                word = "_".join(syllables[k : k + size])
                if word in lexicon:
                    words += syllables[i:k]
                    words.append(word)
                    i = k + size
                    break
    words += syllables[i:]
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
        return self.weigh(np.repeat(np.arange(len(rows)), lengths), cols, len(rows))

    def weigh(self, rows: np.ndarray, cols: np.ndarray, n_rows: int) -> csr_matrix:
        """The tf-idf matrix of the (row, column) pairs of the tokens found; their order does not matter."""
        x = csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(n_rows, len(self.vocabulary)))
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
        self._word_ids: dict[str, np.ndarray] = {}  # a word's character n-gram ids

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
        index = self._index
        if index is None:  # n-gram keys would overflow int64: the plain path
            context, n = self.params["context"], self.params["syllable_n"]
            tokens = self.tokens.transform(
                [self.tokens.ids(sentence_tokens(it, context, n, self.lexicon)) for it in items]
            )
        else:
            tokens = self.tokens.weigh(*self._token_pairs(items, *index), len(items))
        return hstack([tokens, self.chars.weigh(*self._char_pairs(items), len(items))]).tocsr()

    def _token_pairs(self, items: list[dict], codes: dict, base: int, tables: dict) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of every known feature token of ``sentence_tokens``, the n-grams looked up in bulk.

        Each syllable or word becomes a code, each n-gram the integer of its codes in base ``base``, found in
        the sorted keys of the vocabulary's n-grams; the tokens that are not n-grams (cues, position, role)
        by name. The same (row, column) pairs as the tokens' ids, in another order, which tf-idf does not see.
        """
        context, n_max = self.params["context"], self.params["syllable_n"]
        vocabulary, get = self.tokens.vocabulary, codes.get
        parts: dict[str, list[list[int]]] = {"S": [], "W": [], "P": []}
        syllables: dict[str, list[int]] = {}  # a sentence's codes, also as the next sentence's context

        def coded(text: str) -> list[int]:
            found = syllables.get(text)
            if found is None:
                found = syllables[text] = list(map(get, _SYLLABLE.findall(text.lower()), repeat(-1)))
            return found

        rows: list[int] = []
        cols: list[int] = []
        for r, item in enumerate(items):
            text = item["text"]
            parts["S"].append(coded(text))
            if self.lexicon:
                words = lexicon_words(_PIECE.findall(text.lower()), self.lexicon)
                parts["W"].append(list(map(get, words, repeat(-1))))
            names = [f"CUE:{label}" for label, _ in cues(text)]
            if context:
                parts["P"].append(coded(item["prev"]))
                names += [f"PCUE:{label}" for label, _ in cues(item["prev"])][:2]
                names += [f"POS:{_position(item)}", f"ROLE:{item['role'] or 'none'}"]
            found = [j for j in map(vocabulary.get, names) if j is not None]
            cols += found
            rows += [r] * len(found)
        out_rows, out_cols = [np.array(rows, dtype=np.int64)], [np.array(cols, dtype=np.int64)]
        for prefix, n_top in (("S", n_max), ("W", 2), ("P", 2)):
            if not parts[prefix]:
                continue
            lengths = np.fromiter(map(len, parts[prefix]), dtype=np.int64, count=len(parts[prefix]))
            code = np.fromiter(chain.from_iterable(parts[prefix]), dtype=np.int64, count=int(lengths.sum()))
            row = np.repeat(np.arange(len(lengths)), lengths)
            for n in range(1, n_top + 1):
                table = tables.get((prefix, n))
                size = len(code) - n + 1
                if table is None or size <= 0:
                    continue
                key, ok = code[:size].copy(), (code[:size] >= 0) & (row[n - 1 : n - 1 + size] == row[:size])
                for i in range(1, n):
                    key = key * base + code[i : i + size]
                    ok &= code[i : i + size] >= 0
                key, at_row = key[ok], row[:size][ok]
                keys, ids = table
                pos = np.minimum(np.searchsorted(keys, key), len(keys) - 1)
                hit = keys[pos] == key
                out_rows.append(at_row[hit])
                out_cols.append(ids[pos[hit]])
        return np.concatenate(out_rows), np.concatenate(out_cols)

    @cached_property
    def _index(self) -> tuple[dict[str, int], int, dict[tuple[str, int], tuple[np.ndarray, np.ndarray]]] | None:
        """The syllable, word and context n-gram terms ("S:a b"): a code for each part, and per prefix and n the
        sorted integer keys of the terms with their vocabulary ids; None when a key would not fit in int64."""
        terms: dict[tuple[str, int], tuple[list[list[str]], list[int]]] = {}
        for term, j in self.tokens.vocabulary.items():
            if term[:2] in ("S:", "W:", "P:"):
                parts = term[2:].split(" ")
                split, ids = terms.setdefault((term[0], len(parts)), ([], []))
                split.append(parts)
                ids.append(j)
        every = chain.from_iterable(split for split, _ in terms.values())
        codes = {part: k for k, part in enumerate(dict.fromkeys(chain.from_iterable(every)))}
        base = max(len(codes), 1)
        if base ** max(self.params["syllable_n"], 2) >= 2**62:
            return None
        tables = {}
        for (prefix, n), (split, ids) in terms.items():
            keys = np.zeros(len(split), dtype=np.int64)
            for i in range(n):
                column = map(codes.__getitem__, map(itemgetter(i), split))
                keys = keys * base + np.fromiter(column, dtype=np.int64, count=len(split))
            order = np.argsort(keys, kind="stable")
            tables[prefix, n] = (keys[order], np.array(ids, dtype=np.int64)[order])
        return codes, base, tables

    def _char_pairs(self, items: list[dict]) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of the character n-grams of each sentence's words; a word's ids are found once."""
        cache = self._word_ids
        words_of = [it["text"].lower().split() for it in items]
        words = list(chain.from_iterable(words_of))
        get = cache.__getitem__
        missing = set(words).difference(cache)
        if missing:
            fresh = {w: np.array(self.chars.ids(char_wb_ngrams(w, *self.char_range)), dtype=np.int64) for w in missing}
            if len(cache) + len(fresh) <= 200_000:
                cache.update(fresh)
            else:
                get = ChainMap(fresh, cache).__getitem__
        arrays = list(map(get, words))
        cols = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int64)
        per_word = np.fromiter(map(len, arrays), dtype=np.int64, count=len(arrays))
        sentence = np.repeat(np.arange(len(items)), np.fromiter(map(len, words_of), dtype=np.int64, count=len(items)))
        return np.repeat(sentence, per_word), cols

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
