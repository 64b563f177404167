"""Partner pages, thin over the services and selectors: the partner with its parts (``partners``), ownership
(``ownership``) and the public pool (``pool``). Each module has its ``urlpatterns``, joined in ``urls.py``."""
