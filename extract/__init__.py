"""Format readers and table parsers: every reader produces the intermediate model in ir.py."""
