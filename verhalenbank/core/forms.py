"""The base of every form: WTForms' built-in messages in Dutch, and no NUL characters.

WTForms ships Dutch translations of its own validator messages ("Ongeldige keuze." instead of
"Not a valid choice."); Flask-WTF only uses them through Flask-Babel, which we do not need, so
the base form asks WTForms for them directly. NUL characters (which no database stores and no
person types) are stripped from every submitted text field, so a story with one is kept, not
refused with a server error.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms.meta import DefaultMeta


def keuzes(paren: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms' choices (tuples are deprecated from WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in paren]


def strip_nul(waarde):
    return waarde.replace("\x00", "") if isinstance(waarde, str) else waarde


class Formulier(FlaskForm):
    class Meta(FlaskForm.Meta):
        locales = ("nl_NL", "nl")

        def get_translations(self, form):
            return DefaultMeta.get_translations(self, form)

        def bind_field(self, form, unbound_field, options):
            filters = [*unbound_field.kwargs.get("filters", ()), strip_nul]
            return unbound_field.bind(form=form, filters=filters, **options)
