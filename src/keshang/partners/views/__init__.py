"""Partner pages, thin over the services and selectors, one module per subject: the partner with its parts
(``partners``), ownership (``ownership``), the public pool (``pool``), the duplicate finder and merge
(``merging``), the supplier tab (``suppliers``), the classification lists (``classifications``), access requests
(``access_requests``) and the import (``importing``). Each module has its ``urlpatterns``, joined in ``urls.py``."""
