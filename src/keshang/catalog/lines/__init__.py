"""Lines of products on any priced document (quotations, orders, contracts, purchase orders …): the abstract
line model (``models``), pricing a line from what a form or the API gave (``pricing``), many lines at once from
products picked together or rows pasted from Excel (``entry``), the line editor's forms and its server-side
preview (``forms``, ``editor``). One place each, so every document prices alike."""
