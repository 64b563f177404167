"""Partners: importing customers and suppliers from Excel or CSV (issue 3), on core's import framework.

:class:`PartnerImporter` says what the columns mean and how rows become partners; the framework
(:mod:`keshang.core.importing`) reads the file, maps the columns, reports and commits all or nothing.

Rules worth knowing:

* **Duplicates.** A row matches an existing partner by its code (编号), else its credit code, else its name
  key (the keys of ``partners.text``, as ``services.find_duplicates`` compares them; phone numbers are not an
  identity here, a switchboard is shared). All partners are loaded once per file instead of asked about per
  row. Policy ``skip`` skips matches; ``update`` updates them, only where the importer may change them (their
  scope); ``create`` creates anyway, except that codes and credit codes are unique, and a same-named partner
  is refused as the services refuse it (``KESHANG_PARTNER_DUPLICATES``: someone else's under the default
  ``block_others``, any under ``block``). Two rows of one file may not share a code or a credit code, nor
  (unless the policy is ``create``) a name.
* **Codes.** A row without a code gets the next one of the sequence when it is created, as the services
  give it (C… for customers, S… for suppliers).
* **Unreadable phone numbers.** By default a number phonenumbers cannot read refuses its row. The
  ``phones`` option ``keep`` stores it as typed instead, flagged ``phone_unverified`` (a contact's mobile:
  ``mobile_unverified``) and without a duplicate key, and lists the row as a notice.
* **Foreign partners.** When the 国家/地区 column names another country, phone numbers are read in that
  country's format (a number with a + prefix is read anywhere) and stored in international format, so the
  services (which read a number without country code as Chinese) derive the same key; a number that
  phonenumbers does not accept as valid is refused. 省/市/区县 and 邮编 are then written into the address
  rather than resolved against China's regions. The country is stored on the partner (国家/地区, ISO code).
* **Speed.** New partners are written by :func:`.bulk.create_partners_bulk` (bulk inserts for
  partners, contacts and their audit entries); updates go through ``services.update_partner`` one by one.

The columns and what their cells may say are in :mod:`.columns`, how a row is read in :mod:`.rows`, how it is
matched with the partners there are in :mod:`.matching`, and the importer that ties them together in
:mod:`.importer`.
"""

from .bulk import create_partners_bulk
from .importer import PartnerImporter

__all__ = ["PartnerImporter", "create_partners_bulk"]
