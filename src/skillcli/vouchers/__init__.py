"""Electronic vocational-training vouchers (电子职业培训券): issue → redeem (核销) → institution paid."""
