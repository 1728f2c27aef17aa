"""Reading workbooks (the only package that imports Excel libraries) and writing reports."""
