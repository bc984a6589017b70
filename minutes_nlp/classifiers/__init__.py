"""Sentence classifiers: a registry of scikit-learn-compatible estimators by name.

Built in: ``rules`` (cue lexicon), ``linear`` (calibrated linear model over
n-grams) and ``spacy`` (a spaCy text classifier). A package adds its own
under the entry-point group ``minutes_nlp.classifiers``::

    [project.entry-points."minutes_nlp.classifiers"]
    mine = "my_package.module:MyClassifier"

or passes an estimator object directly wherever a classifier is accepted.
"""

from __future__ import annotations

from importlib.metadata import entry_points

from minutes_nlp.classifiers.inputs import LABELS, as_items, primary_label, sentence_items
from minutes_nlp.extras import import_for

BUILTIN = {
    "rules": "minutes_nlp.classifiers.rules:RuleClassifier",
    "linear": "minutes_nlp.classifiers.linear:LinearClassifier",
    "spacy": "minutes_nlp.classifiers.spacy_textcat:SpacyTextcatClassifier",
}


def _load(target: str):
    module, _, attr = target.partition(":")
    return getattr(import_for(module, f"the classifier {target}"), attr)


def available() -> dict[str, str]:
    """Return every classifier name with the object path it loads."""
    found = dict(BUILTIN)
    for ep in entry_points(group="minutes_nlp.classifiers"):
        found.setdefault(ep.name, ep.value)
    return found


def get_classifier(name: str, **params):
    """Return a new, unfitted classifier registered under name."""
    names = available()
    if name not in names:
        raise KeyError(f"unknown classifier {name!r}; available: {', '.join(sorted(names))}")
    return _load(names[name])(**params)


__all__ = ["LABELS", "as_items", "available", "get_classifier", "primary_label", "sentence_items"]
