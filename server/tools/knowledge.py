"""knowledge toolset (being written)."""

TOOLS: tuple = ()
