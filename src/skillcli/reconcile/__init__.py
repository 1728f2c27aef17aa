"""Bank side of a payout: the 代发 disbursement file, the bank's return file (回盘) and their reconciliation."""
