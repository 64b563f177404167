"""Partners' REST API (``/api/v1/partners/``): one module per subject, routed in ``urls.py``."""
