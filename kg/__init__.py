"""Knowledge graph of a district's policies, projects and places."""

__version__ = "0.1.0"
