"""The shipped models (default, rules, spacy); installed as minutes_nlp.models, found with importlib.resources."""
