"""What the tests share, one module per concern; test modules import from here and from nowhere else.

ids (ID numbers and credit codes, python-stdnum as oracle), rosters (roster, certificate and attendance
rows), workbooks (real .xlsx/.xls/CSV written and read back), rawzip (hand-built zip containers), cli
(a run's result, findings flattened), amounts (expected yuan, Decimal half-up), bank, ledger, cycle
(the Suzhou months the ledger and bank tests pay), processes (skillcli in a separate process) and
postgres (a throw-away PostgreSQL server).
"""
