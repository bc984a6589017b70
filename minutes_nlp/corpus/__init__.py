"""The annotated corpus: authoring markup, the JSONL dataset (validate, split, count), exchange formats."""
