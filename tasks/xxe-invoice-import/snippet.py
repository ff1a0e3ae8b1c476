from dataclasses import dataclass
from decimal import Decimal
from xml.dom import minidom


@dataclass
class InvoiceLine:
    sku: str
    quantity: int
    unit_price: Decimal


def parse_invoice(xml_bytes: bytes) -> list[InvoiceLine]:
    # expect: xxe severity=high id=minidom-parse
    document = minidom.parseString(xml_bytes)
    lines = []
    for node in document.getElementsByTagName("line"):
        lines.append(
            InvoiceLine(
                sku=node.getAttribute("sku"),
                quantity=int(node.getAttribute("qty")),
                unit_price=Decimal(node.getAttribute("price")),
            )
        )
    return lines


def invoice_total(lines: list[InvoiceLine]) -> Decimal:
    return sum((line.unit_price * line.quantity for line in lines), Decimal("0"))
