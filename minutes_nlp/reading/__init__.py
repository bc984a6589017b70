"""Reading: files of every supported format become one normalised text (readers, legacy encodings, normalisation)."""
