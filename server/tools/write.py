"""write toolset (being written)."""

TOOLS: tuple = ()
