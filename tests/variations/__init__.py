"""Layout variations of the dev corpus's content: the measuring instrument of issue 15.

`render` draws the truth files' content in other layouts (one named *kind* each) and
writes a truth file for every PDF it prints; `scan` turns any rendered PDF into a
scanned, image-only twin. `bench/variations.py` extracts and scores them per kind.
"""
