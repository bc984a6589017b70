"""Reports: the analysis as text, HTML and XLSX, and the supervisors' flag lists and survey."""
