"""The default care-and-support taxonomy and its mapping to Open Eligibility, the
taxonomy Open Referral publishes alongside local ones. Ids are derived from the codes,
so every installation publishes the same ids for the same terms."""

from __future__ import annotations

import uuid
from typing import NamedTuple

NAMESPACE = uuid.UUID("6f1c2d4e-2b7a-4c1e-9a51-3e0f5d7c8b90")

CARE_TAXONOMY = "epurse-care"
OPEN_ELIGIBILITY = "open-eligibility"


class TaxonomySpec(NamedTuple):
    code: str
    name: str
    description: str
    uri: str
    version: str


class TermSpec(NamedTuple):
    code: str
    name: str
    description: str
    maps_to: tuple[str, ...] = ()


TAXONOMIES = (
    TaxonomySpec(
        CARE_TAXONOMY,
        "ePurse care and support",
        "Kinds of care and support that can be bought with a personal budget.",
        "",
        "1",
    ),
    TaxonomySpec(
        OPEN_ELIGIBILITY,
        "Open Eligibility",
        "The human services taxonomy used by Open Referral (top-level categories).",
        "https://openeligibility.org/",
        "1",
    ),
)

OPEN_ELIGIBILITY_TERMS = (
    TermSpec("care", "Care", "Care for people who need support with daily living."),
    TermSpec("education", "Education", "Learning, training and skills."),
    TermSpec("goods", "Goods", "Equipment, clothing and other things people need."),
    TermSpec("health", "Health", "Physical and mental health and wellbeing."),
    TermSpec("transit", "Transit", "Getting from place to place."),
    TermSpec("work", "Work", "Finding and keeping work, and volunteering."),
)

CARE_TERMS = (
    TermSpec(
        "home-care",
        "Home care",
        "Help at home with washing, dressing, meals and medicines.",
        ("care",),
    ),
    TermSpec(
        "personal-assistants",
        "Personal assistants",
        "Someone you employ or hire to help you live the way you choose.",
        ("care",),
    ),
    TermSpec(
        "day-opportunities",
        "Day opportunities",
        "Day centres and activities to spend the day doing things you enjoy.",
        ("care",),
    ),
    TermSpec(
        "short-breaks",
        "Short breaks and respite",
        "A break for you and for the people who care for you.",
        ("care",),
    ),
    TermSpec(
        "equipment",
        "Equipment and adaptations",
        "Things that make daily life easier and safer at home.",
        ("goods",),
    ),
    TermSpec(
        "transport", "Transport", "Getting to appointments, activities and shops.", ("transit",)
    ),
    TermSpec(
        "community-activities",
        "Community activities",
        "Clubs, groups and classes to meet people and stay connected.",
        ("care",),
    ),
    TermSpec(
        "health-fitness",
        "Health and fitness",
        "Gyms, swimming, exercise classes and therapies to keep well.",
        ("health",),
    ),
    TermSpec(
        "learning-work",
        "Learning and work",
        "Courses, training, volunteering and help to find work.",
        ("education", "work"),
    ),
    TermSpec(
        "housing-support",
        "Housing support",
        "Help to keep your home and manage a tenancy.",
        ("care",),
    ),
    TermSpec(
        "advice-advocacy",
        "Advice and advocacy",
        "Someone to help you say what you want and understand your choices.",
        ("care",),
    ),
)


def taxonomy_id(code: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"taxonomy:{code}")


def term_id(taxonomy_code: str, code: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"term:{taxonomy_code}:{code}")


def seed(Taxonomy, TaxonomyTerm) -> None:  # type: ignore[no-untyped-def]  # noqa: N803
    """Create or update the default taxonomies. Takes model classes so a migration
    can pass its historical ones."""
    for tax in TAXONOMIES:
        Taxonomy.objects.update_or_create(
            id=taxonomy_id(tax.code),
            defaults={
                "code": tax.code,
                "name": tax.name,
                "description": tax.description,
                "uri": tax.uri,
                "version": tax.version,
            },
        )
    terms = {}
    for tax_code, specs in (
        (OPEN_ELIGIBILITY, OPEN_ELIGIBILITY_TERMS),
        (CARE_TAXONOMY, CARE_TERMS),
    ):
        for position, spec in enumerate(specs):
            uri = (
                f"https://openeligibility.org/#{spec.code}" if tax_code == OPEN_ELIGIBILITY else ""
            )
            term, _ = TaxonomyTerm.objects.update_or_create(
                id=term_id(tax_code, spec.code),
                defaults={
                    "taxonomy_id": taxonomy_id(tax_code),
                    "code": spec.code,
                    "name": spec.name,
                    "description": spec.description,
                    "term_uri": uri,
                    "position": position,
                },
            )
            terms[(tax_code, spec.code)] = term
    for spec in CARE_TERMS:
        terms[(CARE_TAXONOMY, spec.code)].equivalents.set(
            [terms[(OPEN_ELIGIBILITY, code)] for code in spec.maps_to]
        )
