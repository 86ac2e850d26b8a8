"""Every word a quote's or an invoice's PDF prints, in French and in English. French uses
the typographic apostrophe and the abbreviations French quotes and invoices use (HT, TTC,
TVA)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Words:
    quote: str
    draft: str
    number: str
    issue_date: str
    valid_until: str
    client: str
    description: str
    quantity: str
    unit_price: str
    vat: str
    discount: str
    amount: str
    optional_chosen: str
    optional_not_chosen: str
    subtotal: str
    lines_total: str
    quote_discount: str
    total_without_tax: str
    tax_on: str
    total_tax: str
    total_with_tax: str
    notes: str
    terms: str
    page: str
    accepted: str
    accepted_by: str
    signed_from: str
    invoice: str
    # "Émise le": a French invoice (« facture ») is feminine, a quote masculine.
    invoice_issue_date: str
    due_on: str
    quote_reference: str


WORDS: dict[str, Words] = {
    "en": Words(
        quote="Quote",
        draft="Draft",
        number="Number",
        issue_date="Issued on",
        valid_until="Valid until",
        client="For",
        description="Description",
        quantity="Qty",
        unit_price="Unit price",
        vat="VAT",
        discount="Discount",
        amount="Amount excl. tax",
        optional_chosen="Optional · chosen",
        optional_not_chosen="Optional · not included in the total",
        subtotal="Subtotal · {section}",
        lines_total="Total of the lines excl. tax",
        quote_discount="Discount",
        total_without_tax="Total excl. tax",
        tax_on="VAT {rate} on {base}",
        total_tax="Total VAT",
        total_with_tax="Total incl. tax",
        notes="Notes",
        terms="Terms",
        page="Page {page} of {total}",
        accepted="Accepted",
        accepted_by="Accepted by {name} on {date} at {time} ({zone})",
        signed_from="Signed online from {ip} · {email}",
        invoice="Invoice",
        invoice_issue_date="Issued on",
        due_on="Due on",
        quote_reference="Quote",
    ),
    "fr": Words(
        quote="Devis",
        draft="Brouillon",
        number="Numéro",
        issue_date="Émis le",
        valid_until="Valable jusqu’au",
        client="Pour",
        description="Désignation",
        quantity="Qté",
        unit_price="Prix unitaire HT",
        vat="TVA",
        discount="Remise",
        amount="Montant HT",
        optional_chosen="En option · retenue",
        optional_not_chosen="En option · non comprise dans le total",
        subtotal="Sous-total · {section}",
        lines_total="Total des lignes HT",
        quote_discount="Remise",
        total_without_tax="Total HT",
        tax_on="TVA {rate} sur {base}",
        total_tax="Total TVA",
        total_with_tax="Total TTC",
        notes="Remarques",
        terms="Conditions",
        page="Page {page} sur {total}",
        accepted="Bon pour accord",
        accepted_by="Accepté par {name} le {date} à {time} ({zone})",
        signed_from="Signé en ligne depuis {ip} · {email}",
        invoice="Facture",
        invoice_issue_date="Émise le",
        due_on="Échéance",
        quote_reference="Devis",
    ),
}
