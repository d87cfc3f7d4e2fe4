"""Nightly imports: read a billing system's file, validate every row, apply the good ones in batches."""
