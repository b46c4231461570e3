"""Per-rep metrics, the analysis entry point (analyze.py) and its report/Parquet views."""
