"""Video ingest: probing (facts and validation) and segment decoding."""
