"""Org's pages: the organisation (departments, users, roles) and our own companies."""
