"""The command line: one module per command, each only parses, calls the library and renders.

Command modules import nothing heavy at module level so that ``skillcli --help`` stays fast.
"""
