"""Clerk review: corrections store, Excel round-trip, review page (issue 8)."""
