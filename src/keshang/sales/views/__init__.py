"""Sales pages: opportunities (``opportunities``, ``board``) and the generated quotation and order pages with
what is theirs alone (``documents``)."""
