"""Governance dates are typed and shown dd/mm/yyyy (issue 18: a date picker showed mm/dd/yyyy)."""

import datetime as dt

from kafo.governance.forms import date_field


def test_a_governance_date_is_shown_and_read_day_first():
    field = date_field("Date")
    html = field.widget.render("date", dt.date(2026, 3, 1))
    assert 'type="text"' in html and 'value="01/03/2026"' in html
    assert 'placeholder="jj/mm/aaaa"' in html
    assert field.clean("01/03/2026") == dt.date(2026, 3, 1)
    assert field.clean("2026-03-01") == dt.date(2026, 3, 1)  # ISO still read
