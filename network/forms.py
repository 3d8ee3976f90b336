from django import forms
from django.utils.translation import gettext_lazy as _

from depository.models import Language
from network.models import ABOUT_MAX_LENGTH, UPDATE_MAX_LENGTH, Delivery, Profile
from people.models import Organization


class ProfileForm(forms.ModelForm):
    """A member's profile. The organization is the member account's own (members.Member.organization)."""

    organization = forms.ModelChoiceField(
        Organization.objects.order_by("name"), label=_("Organization"), required=False
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=Language.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Profile
        fields = ["role", "cities", "languages", "themes", "city_types", "violence_types", "about", "is_hidden"]
        widgets = {
            "about": forms.Textarea(attrs={"rows": 4, "maxlength": ABOUT_MAX_LENGTH}),
            "cities": forms.SelectMultiple(attrs={"size": 8}),
            "themes": forms.CheckboxSelectMultiple,
            "city_types": forms.CheckboxSelectMultiple,
            "violence_types": forms.CheckboxSelectMultiple,
        }

    field_order = ["organization", "role", "cities", "languages", "themes", "city_types", "violence_types", "about"]


class UpdateForm(forms.Form):
    text = forms.CharField(
        label=_("Post an update to the sub-group"),
        max_length=UPDATE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": UPDATE_MAX_LENGTH}),
        help_text=_("Plain text. It is e-mailed to the sub-group's members."),
    )


class DeliveryForm(forms.Form):
    delivery = forms.ChoiceField(label=_("Updates by e-mail"), choices=Delivery.choices)
