"""The approval engine's services and selectors."""
