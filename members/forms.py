import logging
import operator
from functools import reduce

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import PasswordResetForm, UsernameField
from django.db.models import Q
from django.template import loader
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from core.mail import PortalEmail
from core.sizes import upload_promise
from core.tags import BoundedTagField
from depository.documents import PAPER_KINDS, DocumentRejected, inspect_upload
from members.models import Answer, InputPaper
from members.services.invitations import parse_invitees
from people.models import Disclosure, Organization, Person

logger = logging.getLogger(__name__)


class PortalPasswordResetForm(PasswordResetForm):
    """Django's form, sending its e-mail as a PortalEmail like every other mail of the portal (headers
    never RFC 2047-encoded when plain ASCII: core/mail.py). Otherwise Django's send_mail, unchanged."""

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        message = PortalEmail(subject, loader.render_to_string(email_template_name, context), from_email, [to_email])
        if html_email_template_name is not None:
            message.attach_alternative(loader.render_to_string(html_email_template_name, context), "text/html")
        try:
            message.send()
        except Exception:
            logger.exception("Failed to send password reset email to %s", context["user"].pk)


class InvitationAcceptForm(forms.Form):
    """Choose a user name and password, and give your name.

    The invitee never chooses a person of the TWG's records: the account is bound to the person the
    organizer named on the invitation, or to a new person (issue 13, finding 1; an organizer merges a
    new person into an existing record in the admin). A `person` field in the POST is ignored.
    """

    username = UsernameField(label=_("User name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    person_name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=Organization.objects.all(),
        required=False,
        empty_label=_("(not listed)"),
    )
    organization_name = forms.CharField(
        label=_("Or a new organization"), max_length=300, required=False, help_text=_("Its full name.")
    )

    def __init__(self, *args, invitation, **kwargs):
        self.invitation = invitation
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("username", invitation.email.split("@")[0])
        initial.setdefault("person_name", invitation.name)
        initial.setdefault("organization", invitation.organization_id)
        super().__init__(*args, **kwargs)
        if invitation.person_id:
            # The organizer said who this is: no name to give.
            del self.fields["person_name"]

    def clean_username(self):
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This user name is taken; choose another."))
        return username

    def clean(self):
        data = super().clean()
        if not self.invitation.person_id and not data.get("person_name", "").strip():
            self.add_error("person_name", _("Give your name."))
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        elif password1:
            user = get_user_model()(username=data.get("username", ""), email=self.invitation.email)
            try:
                password_validation.validate_password(password1, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class InviteForm(forms.Form):
    """The organizers' form: one or many people to invite."""

    invitees = forms.CharField(
        label=_("People to invite"),
        widget=forms.Textarea(attrs={"rows": 8, "cols": 60}),
        # Help texts are HTML wherever Django renders them (its form and admin templates mark them
        # safe): the text's angle brackets are escaped, or "<e-mail>" is taken for a tag and lost.
        help_text=escape(_("One a line: “Name <e-mail>”, “e-mail, Name” or just the e-mail address.")),
    )
    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=Organization.objects.all(),
        required=False,
        help_text=_("Optional: the organization of everyone in the list."),
    )

    def clean_invitees(self):
        invitees, errors = parse_invitees(self.cleaned_data["invitees"])
        if errors:
            raise forms.ValidationError(errors)
        if not invitees:
            raise forms.ValidationError(_("Give at least one e-mail address."))
        same_address = reduce(operator.or_, (Q(email__iexact=invitee.email) for invitee in invitees))
        taken = set(get_user_model().objects.filter(same_address).values_list("email", flat=True))
        if taken:
            raise forms.ValidationError(
                _("These addresses already have an account: %(emails)s") % {"emails": ", ".join(sorted(taken))}
            )
        return invitees


class PaperForm(forms.ModelForm):
    class Meta:
        model = InputPaper
        fields = [
            "title",
            "abstract",
            "language",
            "authors",
            "city_types",
            "violence_types",
            "themes",
            "cities",
            "tags",
        ]
        field_classes = {"tags": BoundedTagField}
        labels = {"authors": _("Authors and co-authors")}
        help_texts = {
            "authors": _("You are added as an author. Co-authors who are members can read and revise the paper."),
            "tags": _("Comma-separated keywords."),
        }
        widgets = {
            "abstract": forms.Textarea(attrs={"rows": 6}),
            "city_types": forms.CheckboxSelectMultiple,
            "violence_types": forms.CheckboxSelectMultiple,
            "themes": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Members may see the names of public and members-only people, never those only organizers may
        # see (people/privacy.py), except the paper's own authors.
        visible = Q(disclosure__in=[Disclosure.PUBLIC, Disclosure.MEMBERS])
        if self.instance.pk:
            visible |= Q(pk__in=self.instance.authors.values("pk"))
        self.fields["authors"].queryset = Person.objects.filter(visible)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.odt"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The promise from the setting the validation and the body limit read (core/body_limits.py).
        self.fields["file"].help_text = " ".join(
            [str(_("PDF, DOCX or ODT.")), upload_promise(settings.MEMBERS_PAPER_MAX_BYTES)]
        )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        try:
            self.info = inspect_upload(uploaded, max_bytes=settings.MEMBERS_PAPER_MAX_BYTES, allowed_kinds=PAPER_KINDS)
        except DocumentRejected as rejected:
            raise forms.ValidationError(rejected.message, code="rejected") from None
        return uploaded


class TransitionForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(TransitionForm):
    """The organizers' decision on a paper, from the admin."""

    action = forms.ChoiceField(label=_("Decision"), choices=())

    def __init__(self, *args, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(action.name, action.label) for action in actions]
        self.order_fields(["action", "comment"])


class AnswerForm(forms.ModelForm):
    class Meta:
        model = Answer
        fields = ["text", "is_public"]
        labels = {"is_public": _("Show my answer, with my name, on the public questions page")}
        widgets = {"text": forms.Textarea(attrs={"rows": 8})}
