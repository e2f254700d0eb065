"""Tables read from any page, and their columns matched to what a family needs."""
from .model import Cell, Table
from .reader import read_tables

__all__ = ["Cell", "Table", "read_tables"]
