"""alerts toolset (being written)."""

TOOLS: tuple = ()
