"""Tests of the `/1/` network surface."""
