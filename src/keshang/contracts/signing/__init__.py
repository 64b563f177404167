"""The PAdES signing library for contracts (issue 13): certificates, signing and verifying PDFs. Pure Python, no
database: the contracts app stores the certificates and the signed files, and calls these functions."""

from .certificates import (
    TRIAL_LABEL,
    SigningIdentity,
    fingerprint,
    generate_trial_identity,
    is_trial_certificate,
    issue_signer_identity,
    load_identity,
    subject_part,
)
from .pdfsign import SignatureBox, local_timestamper, sha256_hex, sign_pdf
from .verify import SignatureReport, Verification, verify_pdf

__all__ = [
    "TRIAL_LABEL",
    "SignatureBox",
    "SignatureReport",
    "SigningIdentity",
    "Verification",
    "fingerprint",
    "generate_trial_identity",
    "is_trial_certificate",
    "issue_signer_identity",
    "load_identity",
    "local_timestamper",
    "sha256_hex",
    "sign_pdf",
    "subject_part",
    "verify_pdf",
]
