from django import forms

from places.models import CommunityBody


class BodyForm(forms.Form):
    exists = forms.BooleanField(label="已建立", required=False)
    contact_name = forms.CharField(label="联系人", max_length=50, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=20, required=False)

    def __init__(self, data: object = None, *, kind: str, initial: dict[str, object] | None = None) -> None:
        super().__init__(data, prefix=kind, initial=initial)  # type: ignore[arg-type]  # Form's data parameter is typed as a QueryDict/dict; callers pass request.POST or None
        self.kind = kind
        self.label = CommunityBody.Kind(kind).label
