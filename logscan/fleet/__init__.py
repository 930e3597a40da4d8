"""Fleets: the same scan on a Dask cluster (cluster), and the choice of where a scan runs (dispatch)."""
