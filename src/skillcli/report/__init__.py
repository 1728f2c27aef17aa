"""Reports written for people: the exception list, the payout workbook, the manifest."""
