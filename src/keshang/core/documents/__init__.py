"""The machinery every numbered, priced document shares (contracts, purchase orders, invoices … build on it):

* ``models``: abstract bases of a priced document and its lines (price entry and origin stored as codes);
* ``totals``: totals as sums of rounded lines, discount and minimum-price facts for approvals;
* ``workflow``: the moves of a document declared once (``Move``, ``Workflow``);
* ``types``: ``DocumentType``, the declaration pages and API are generated from;
* ``views`` / ``api``: the generated pages (``document_urls``) and API base (``DocumentViewSet``);
* ``printing``: one ``PrintLayout`` rendered as the printable page and as the PDF.

Product lines (a product, its unit, the catalog's prices) are ``keshang.catalog.lines``: core knows no product.
"""
