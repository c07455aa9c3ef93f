"""Local checks of a field value before the exchanger sees it.

The exchanger checks accounts itself, but only at create_bid and with a bare "invalid account
number" (facts §4.7); the vendor's bot checks nothing (§10.3 step 6, §10.6 gap 6). Catching a
mistyped card or address here lets the customer fix it on the spot.

The server still has the final word, so every check here is conservative: a wrong local
rejection blocks a real customer, a missed one only costs a round trip. A format is checked
only with clear evidence of what the value is: the field's `format`, its label, or the currency
of an account field. Anything else gets only the generic checks (not empty, not too long, no
control characters).
"""

from bot.services.validation.cards import luhn_valid
from bot.services.validation.check import TEXT_LIMIT, TEXTAREA_LIMIT, check_field_value
from bot.services.validation.crypto import is_btc_address, is_eth_address, is_tron_address
from bot.services.validation.problems import FieldProblem, FieldValueError
from bot.services.validation.text import BIDI_CONTROLS, INVISIBLE_MARKS

__all__ = [
    "BIDI_CONTROLS",
    "INVISIBLE_MARKS",
    "TEXTAREA_LIMIT",
    "TEXT_LIMIT",
    "FieldProblem",
    "FieldValueError",
    "check_field_value",
    "is_btc_address",
    "is_eth_address",
    "is_tron_address",
    "luhn_valid",
]
