from django import forms
from django.utils.translation import gettext_lazy as _

from alerts.models import Frequency


class AlertForm(forms.Form):
    """Subscribing to a search: the frequency, and for a visitor the address to confirm."""

    frequency = forms.ChoiceField(label=_("How often"), choices=Frequency.choices, initial=Frequency.WEEKLY)
    email = forms.EmailField(label=_("Your e-mail address"), max_length=254)

    def __init__(self, *args, ask_email=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not ask_email:
            del self.fields["email"]
