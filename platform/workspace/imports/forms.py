from __future__ import annotations

from django import forms


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Upload a CSV file",
        required=True,
        allow_empty_file=True,  # the service says an empty file is empty, in its words
        error_messages={"required": "Select a CSV file", "invalid": "Select a CSV file"},
    )
