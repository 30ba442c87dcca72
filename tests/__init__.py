"""Tests that span the whole product (end-to-end in a browser)."""
