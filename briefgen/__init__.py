"""briefgen: a static site generator for crisis briefing pages."""

__version__ = "0.1.0"
