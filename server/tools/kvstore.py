"""kvstore toolset (being written)."""

TOOLS: tuple = ()
