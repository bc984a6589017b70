"""Analysis: measures, the substantive score, flags and official criteria of a labelled meeting; the Analyzer."""
