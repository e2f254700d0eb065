"""Tables read from any page, and their columns matched to what a family needs."""
from .cells import label_value_boxes
from .model import Cell, Table
from .reader import read_tables

__all__ = ["Cell", "Table", "label_value_boxes", "read_tables"]
