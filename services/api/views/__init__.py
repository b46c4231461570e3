"""Response builders: report.json (+ Parquet) in, the seed's response shapes out. Pure functions."""
