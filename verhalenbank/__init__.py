"""Verhalenbank: collect, analyse, search and feed back stories against a municipality's doelenboom."""

__version__ = "0.1.0"
