"""Contracts (合同): sales and purchase contracts from template to signed, verifiable, archived PDF (issue 13)."""
