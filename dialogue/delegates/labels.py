"""Words of the delegations domain (kinds, roles in a delegation, statuses, salutations), in the
three languages, beside the codes of models.py: for forms, pages, files, services and the API alike."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

# Lazy like _l, and named `pgettext` so that extraction (a standard keyword) keeps the message context.
from flask_babel import lazy_pgettext as pgettext

KIND_LABELS = {
    "member_state": _l("Member state"),
    "observer_state": _l("Observer state"),
    "un_entity": _l("United Nations entity"),
    "igo": _l("Intergovernmental organisation"),
    "civil_society": _l("Civil society"),
    "private_sector": _l("Private sector"),
    "academia": _l("Academia"),
    "other": _l("Other"),
}
KIND_PLURALS = {
    "member_state": _l("Member states"),
    "observer_state": _l("Observer states"),
    "un_entity": _l("United Nations entities"),
    "igo": _l("Intergovernmental organisations"),
    "civil_society": _l("Civil society"),
    "private_sector": _l("Private sector"),
    "academia": _l("Academia"),
    "other": _l("Other participants"),
}
DELEGATE_ROLE_LABELS = {
    "head": _l("Head of delegation"),
    "alternate": _l("Alternate"),
    "adviser": _l("Adviser"),
    "member": _l("Member"),
}
ATTENDANCE_LABELS = {"in_person": _l("In person"), "online": _l("Online")}
STATUS_LABELS = {
    "nominated": _l("Nominated, awaiting accreditation"),
    "accredited": _l("Accredited"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
}
CREDENTIALS_LABELS = {"submitted": _l("Uploaded, not checked yet"), "received": _l("Received"),
                      "in_order": _l("In order"), "incomplete": _l("Incomplete")}
SALUTATION_LABELS = {
    "none": _l("(none)"),
    "ms": _l("Ms."),
    "mr": _l("Mr."),
    "mx": _l("Mx."),
    "he_ms": _l("H.E. Ms."),
    "he_mr": _l("H.E. Mr."),
    "dr": _l("Dr."),
    "prof": _l("Prof."),
}
#: Feminine forms of the labels that agree with the person, by message context "female": the same
#: English, "Jefa de delegación" / "Cheffe de délégation", "Dra.". Only codes whose label agrees are
#: here (Ms., H.E. Ms. and Mx. already say who they are). Male, other and undisclosed delegates get
#: the forms above, as the form choices show them: see `gendered_label`.
FEMININE_LABELS = {
    "role": {
        "head": pgettext("female", "Head of delegation"),
        "alternate": pgettext("female", "Alternate"),
        "adviser": pgettext("female", "Adviser"),
        "member": pgettext("female", "Member"),
    },
    "salutation": {
        "dr": pgettext("female", "Dr."),
        "prof": pgettext("female", "Prof."),
    },
}
NAME_ORDER_LABELS = {
    "given_family": _l("Given name first (María LÓPEZ)"),
    "family_given": _l("Family name first (LI Ming)"),
}
GENDERED_LABELS = {"role": DELEGATE_ROLE_LABELS, "salutation": SALUTATION_LABELS}


def gendered_label(field: str, code: str, gender: str | None) -> str:
    """The label of a role or salutation for this person: the feminine form for women, else the
    form of the choice lists (the generic form of UN French and Spanish). No salutation is ""."""
    if field == "salutation" and code == "none":
        return ""
    if gender == "female" and code in FEMININE_LABELS[field]:
        return str(FEMININE_LABELS[field][code])
    label = GENDERED_LABELS[field].get(code)
    return str(label) if label is not None else code


def role_label(person) -> str:
    return gendered_label("role", person.role, person.gender)


def salutation_label(person) -> str:
    return gendered_label("salutation", person.salutation, person.gender)


FIELD_LABELS = {
    "salutation": _l("Salutation"),
    "given_name": _l("Given name"),
    "family_name": _l("Family name"),
    "name_order": _l("Name order"),
    "native_name": _l("Name in own script"),
    "photo": _l("Photo"),
    "function": _l("Function"),
    "email": _l("Email"),
    "gender": _l("Gender"),
    "role": _l("Role in the delegation"),
    "attendance": _l("Attendance"),
    "sessions": _l("Sessions"),
    "file": _l("File"),
    "reason": _l("Reason"),
}
