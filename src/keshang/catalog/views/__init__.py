"""The catalog's pages: products (``products``), their unit conversions and price rules (``parts``), and the
category tree, brands and units declared once each (``masters``)."""
