"""Fixed vocabularies of the catalogue, with the words people see."""

from __future__ import annotations

ACCESSIBILITY_FEATURES: dict[str, str] = {
    "step_free": "Step-free access",
    "accessible_toilet": "Accessible toilet",
    "hearing_loop": "Hearing loop",
    "bsl": "British Sign Language",
    "easy_read": "Easy read information",
    "large_print": "Large print information",
    "quiet_space": "Quiet space",
    "accessible_parking": "Accessible parking",
    "changing_places": "Changing Places toilet",
    "assistance_dogs": "Assistance dogs welcome",
}

# ISO 639-1 codes of the languages most often offered; anything else by its code.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "cy": "Welsh",
    "pl": "Polish",
    "pa": "Punjabi",
    "ur": "Urdu",
    "bn": "Bengali",
    "gu": "Gujarati",
    "ar": "Arabic",
    "ro": "Romanian",
    "so": "Somali",
    "zh": "Chinese",
    "hi": "Hindi",
    "ta": "Tamil",
    "pt": "Portuguese",
    "es": "Spanish",
    "fr": "French",
    "tr": "Turkish",
    "lt": "Lithuanian",
    "sgn": "British Sign Language",
}

# Categories whose services are regulated activities (personal care), so the provider
# must show its CQC registration before the platform approves it.
REGULATED_CATEGORIES = frozenset({"home-care", "short-breaks"})

WEEKDAYS: dict[str, int] = {
    "monday": 1,
    "tuesday": 2,
    "wednesday": 3,
    "thursday": 4,
    "friday": 5,
    "saturday": 6,
    "sunday": 7,
}
