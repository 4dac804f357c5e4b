from django import forms


class SignInForm(forms.Form):
    email = forms.CharField(
        label="Email address",
        max_length=254,
        error_messages={"required": "Enter your email address"},
    )
    password = forms.CharField(
        label="Password",
        max_length=4096,
        strip=False,
        error_messages={"required": "Enter your password"},
    )


class SetPasswordForm(forms.Form):
    password = forms.CharField(
        label="New password",
        max_length=4096,
        strip=False,
        error_messages={"required": "Enter a new password"},
    )
    confirm = forms.CharField(
        label="Confirm new password",
        max_length=4096,
        strip=False,
        error_messages={"required": "Enter the new password again"},
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password") and data.get("confirm") and data["password"] != data["confirm"]:
            self.add_error("confirm", "The passwords do not match")
        return data


class PasswordResetForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=20,
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )
