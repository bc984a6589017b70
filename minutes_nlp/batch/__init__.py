"""Many minutes at once: ``--jobs`` on one machine (``pool.py``) and ``minutes-nlp batch`` on Dask.

``sources.py`` streams the files of folders and zip archives, ``store.py`` writes
and reads the Parquet datasets, ``run.py`` drives a Dask cluster (docs/batch.md).
"""
