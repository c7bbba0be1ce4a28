"""Spiders: each a platform base plus declarations; boards come from sources.toml."""
