"""The demo catalogue's content: about thirty fictional providers in and around
Kingsmere (LE11), Thornby (LE12), Ashdown (LE13) and Oakley (LE15), their CQC ratings,
what each demo council decides about them, and a few reviews. catalogue.demo seeds it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Place:
    name: str
    address: str
    town: str
    postcode: str
    cqc_location_id: str = ""
    radius_miles: int = 10


@dataclass(frozen=True)
class Offer:
    """A service. `place` indexes the provider's places (None: online only).
    `hours` reads like "mon-fri 09:00-17:00; sat 10:00-13:00"."""

    name: str
    category: str
    summary: str
    description: str
    mode: str
    prices: tuple[tuple[int, str, str], ...]  # (pence, unit, label)
    hours: str
    pictures: tuple[str, ...]
    place: int | None = 0
    languages: tuple[str, ...] = ("en",)
    accessibility: tuple[str, ...] = ()
    minimum_age: int | None = 18
    maximum_age: int | None = None
    minimum_booking: int = 1
    cancellation_notice_hours: int = 24
    publish: bool = True


@dataclass(frozen=True)
class DemoProvider:
    key: str  # their email domain: office@<key>.example, owner@<key>.example
    legal_name: str
    trading_name: str
    description: str
    places: tuple[Place, ...]
    offers: tuple[Offer, ...]
    companies_house_number: str = ""
    charity_number: str = ""
    cqc_provider_id: str = ""
    phone: str = ""
    # approved, or still in the platform's vetting queue: under_review, applied
    vetting: str = "approved"

    @property
    def email(self) -> str:
        return f"office@{self.key}.example"

    @property
    def owner_email(self) -> str:
        return f"owner@{self.key}.example"


@dataclass(frozen=True)
class CqcRating:
    location_id: str
    provider_id: str
    name: str
    postcode: str
    overall: str
    report_date: dt.date
    service_types: tuple[str, ...]
    # Key questions that differ from the overall rating.
    differ: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CouncilChoices:
    slug: str
    approves: tuple[str, ...]  # provider keys; all their published services too
    leaves_out: tuple[tuple[str, str], ...] = ()  # (provider key, service) not approved
    agreed_prices: dict[tuple[str, str], int] = field(default_factory=dict)
    suspended: dict[str, str] = field(default_factory=dict)  # provider key -> reason


@dataclass(frozen=True)
class DemoReview:
    council: str
    provider: str
    service: str
    author: str  # mailbox at <council>.example
    rating: int
    comment: str
    published: bool
    on_behalf_of: str = ""
    reply: str = ""


# Providers whose owners sign in with the demo password: one approved, one applying.
SIGN_IN_PROVIDERS = ("kingsmere-home-care", "fresh-start-care")

WEEKDAYS_9_5 = "mon-fri 09:00-17:00"
CARE_HOURS = "mon-sun 07:00-22:00"

PROVIDERS: tuple[DemoProvider, ...] = (
    # --- Home care (regulated by CQC) ---------------------------------------------
    DemoProvider(
        key="kingsmere-home-care",
        legal_name="Kingsmere Home Care Ltd",
        trading_name="Kingsmere Home Care",
        description="A local home care agency run by two nurses, with 60 carers who live "
        "in and around Kingsmere.",
        companies_house_number="08123456",
        cqc_provider_id="1-101000001",
        phone="01509 210000",
        places=(
            Place(
                "Kingsmere office",
                "14 Market Street",
                "Kingsmere",
                "LE11 3BJ",
                cqc_location_id="1-201000001",
                radius_miles=8,
            ),
        ),
        offers=(
            Offer(
                name="Home care visits",
                category="home-care",
                summary="Carers visit you at home to help with washing, dressing, meals "
                "and medicines, at times that suit you.",
                description="We visit from 30 minutes to several hours, up to four times a "
                "day. The same small team of carers comes each time, so you get to know "
                "them. We can help with getting up and going to bed, personal care, "
                "preparing meals, reminding you to take medicines, and a little shopping.",
                mode="at_home",
                prices=(
                    (1950, "hour", "Weekdays"),
                    (2350, "hour", "Evenings and weekends"),
                    (1450, "visit", "Half-hour visit"),
                ),
                hours=CARE_HOURS,
                languages=("en", "pl"),
                pictures=("house",),
            ),
            Offer(
                name="Night sitting",
                category="home-care",
                summary="A carer stays awake in your home overnight, so you are safe and "
                "your family can sleep.",
                description="A trained carer arrives at 10pm and leaves at 7am. They help "
                "you to the toilet, turn you if you need it, and call for help if "
                "anything is wrong. Book at least two nights ahead.",
                mode="at_home",
                prices=((16500, "visit", "One night, 10pm to 7am"),),
                hours="mon-sun 21:00-23:59",
                pictures=("bedroom",),
                cancellation_notice_hours=48,
            ),
        ),
    ),
    DemoProvider(
        key="bright-days-care",
        legal_name="Bright Days Care Ltd",
        trading_name="Bright Days",
        description="Home care and live-in care across the villages around Thornby.",
        companies_house_number="09234567",
        cqc_provider_id="1-101000002",
        phone="01509 420000",
        places=(
            Place(
                "Thornby office",
                "2 The Green",
                "Thornby",
                "LE12 6AR",
                cqc_location_id="1-201000002",
                radius_miles=15,
            ),
        ),
        offers=(
            Offer(
                name="Live-in care",
                category="home-care",
                summary="A carer lives in your home with you, so you can stay where you "
                "are happiest.",
                description="Your live-in carer helps with everything from personal care "
                "to cooking, cleaning and getting out and about. They have two hours off "
                "each day and a room of their own. We introduce you before they start.",
                mode="at_home",
                prices=((115000, "week", "One carer, living in"),),
                hours="mon-sun 00:00-23:59",
                pictures=("house", "teapot"),
                minimum_booking=2,
                cancellation_notice_hours=168,
            ),
            Offer(
                name="Help at home",
                category="home-care",
                summary="Visits of an hour or more for help around the house, personal "
                "care and company.",
                description="Regular or one-off visits. Our carers drive, so they can take "
                "you to the shops, the doctor or to see friends.",
                mode="at_home",
                prices=((2600, "hour", ""),),
                hours="mon-sat 08:00-20:00",
                pictures=("house",),
            ),
        ),
    ),
    DemoProvider(
        key="ashdown-community-care",
        legal_name="Ashdown Community Care CIC",
        trading_name="Ashdown Community Care",
        description="A community interest company giving care at home in Ashdown. Staff "
        "speak Punjabi and Urdu as well as English.",
        companies_house_number="10345678",
        cqc_provider_id="1-101000003",
        phone="01664 500100",
        places=(
            Place(
                "Ashdown office",
                "5 Sherrard Street",
                "Ashdown",
                "LE13 1ZB",
                cqc_location_id="1-201000003",
                radius_miles=10,
            ),
        ),
        offers=(
            Offer(
                name="Care at home in your language",
                category="home-care",
                summary="Home care from carers who share your language and understand "
                "your culture and faith.",
                description="Help with personal care, halal or vegetarian meals, "
                "medicines and prayer times. Male and female carers are available.",
                mode="at_home",
                prices=((2300, "hour", ""),),
                hours=CARE_HOURS,
                languages=("en", "pa", "ur"),
                pictures=("house",),
            ),
        ),
    ),
    DemoProvider(
        key="oakley-homecare",
        legal_name="Oakley Homecare Partners LLP",
        trading_name="Oakley Homecare",
        description="Home care in Oakley and the villages nearby since 2009.",
        companies_house_number="OC345678",
        cqc_provider_id="1-101000004",
        places=(
            Place(
                "Oakley office",
                "9 High Street",
                "Oakley",
                "LE15 6QX",
                cqc_location_id="1-201000004",
                radius_miles=12,
            ),
        ),
        offers=(
            Offer(
                name="Help at home in Oakley",
                category="home-care",
                summary="Friendly carers who help with personal care, meals and keeping "
                "your home tidy.",
                description="Visits of 45 minutes or more, from 7am to 10pm, every day of "
                "the year.",
                mode="at_home",
                prices=((2350, "hour", ""),),
                hours=CARE_HOURS,
                pictures=("house",),
            ),
        ),
    ),
    # --- Personal assistants ----------------------------------------------------------
    DemoProvider(
        key="your-way-pa",
        legal_name="Your Way PA Agency Ltd",
        trading_name="Your Way PAs",
        description="We find, train and support personal assistants for people who want "
        "to choose who helps them.",
        companies_house_number="11456789",
        places=(
            Place(
                "Your Way office", "Unit 3, Ashby Road", "Kingsmere", "LE11 3PH", radius_miles=20
            ),
        ),
        offers=(
            Offer(
                name="Personal assistant hours",
                category="personal-assistants",
                summary="A personal assistant you choose, to help with the things you want "
                "to do, at home or out.",
                description="Your PA can help with daily tasks, hobbies, getting to work or "
                "college, or going on holiday. You meet them before you decide.",
                mode="at_home",
                prices=((1750, "hour", ""), (1950, "hour", "Sundays and bank holidays")),
                hours="mon-sun 07:00-23:00",
                languages=("en", "gu", "hi"),
                pictures=("bench",),
                minimum_booking=2,
            ),
            Offer(
                name="Finding your PA",
                category="personal-assistants",
                summary="We advertise, interview and check a personal assistant for you, "
                "and you make the final choice.",
                description="We write the advert with you, shortlist people, do DBS checks "
                "and references, and sit in on interviews if you want us to.",
                mode="at_home",
                prices=((15000, "item", "Finding one PA"),),
                hours=WEEKDAYS_9_5,
                pictures=("friendship",),
            ),
        ),
    ),
    DemoProvider(
        key="independent-lives",
        legal_name="Independent Lives Kingsmere",
        trading_name="",
        description="A charity run by disabled people, helping people use their personal "
        "budgets to live the way they choose.",
        charity_number="1123456",
        places=(
            Place("Resource centre", "Carillon Court", "Kingsmere", "LE11 5XY", radius_miles=25),
        ),
        offers=(
            Offer(
                name="Payroll for PA employers",
                category="personal-assistants",
                summary="We run the payroll when you employ your own personal assistant: "
                "payslips, tax and pension.",
                description="Each month we work out your PA's pay, send the payslips, and "
                "deal with HMRC and the workplace pension for you.",
                mode="online",
                place=None,
                prices=((650, "week", ""),),
                hours=WEEKDAYS_9_5,
                pictures=("video_call",),
            ),
        ),
    ),
    # --- Day opportunities ------------------------------------------------------------
    DemoProvider(
        key="maltings-day-centre",
        legal_name="The Maltings Day Centre",
        trading_name="",
        description="A day centre in a converted maltings by the canal, with a garden, a "
        "kitchen and an art room.",
        charity_number="1034567",
        phone="01509 230300",
        places=(Place("The Maltings", "Canal Bank", "Kingsmere", "LE11 1QB", radius_miles=8),),
        offers=(
            Offer(
                name="Day centre",
                category="day-opportunities",
                summary="A full day of activities, a hot lunch and good company, with "
                "transport from your door if you need it.",
                description="Join in with quizzes, crafts, gentle exercise, music and "
                "gardening, or just enjoy a cup of tea and a chat. Lunch is cooked on "
                "site and we can meet most diets.",
                mode="at_venue",
                prices=((5800, "day", "Including lunch"), (1200, "day", "Transport both ways")),
                hours="mon-fri 09:30-15:30",
                accessibility=(
                    "step_free",
                    "accessible_toilet",
                    "hearing_loop",
                    "changing_places",
                    "accessible_parking",
                ),
                pictures=("teapot", "garden"),
            ),
            Offer(
                name="Lunch club",
                category="community-activities",
                summary="A two-course lunch with friends every Tuesday and Thursday.",
                description="Arrive from 11:30 for a drink; lunch is served at 12:15.",
                mode="at_venue",
                prices=((750, "session", ""),),
                hours="tue 11:30-14:00; thu 11:30-14:00",
                accessibility=("step_free", "accessible_toilet", "hearing_loop"),
                pictures=("teapot",),
            ),
        ),
    ),
    DemoProvider(
        key="ashdown-friendship-centre",
        legal_name="Ashdown Friendship Centre",
        trading_name="",
        description="A day centre for older people and people living with dementia.",
        charity_number="1045678",
        places=(Place("The Friendship Centre", "Wilton Road", "Ashdown", "LE13 3DJ"),),
        offers=(
            Offer(
                name="Dementia-friendly day care",
                category="day-opportunities",
                summary="Days out of the house in a calm, friendly place, with staff "
                "trained in dementia care.",
                description="Reminiscence, music, gentle exercise and a quiet room. Lunch "
                "and afternoon tea are included.",
                mode="at_venue",
                prices=((5200, "day", ""), (2900, "session", "Morning or afternoon")),
                hours="mon-fri 10:00-16:00",
                accessibility=("step_free", "accessible_toilet", "quiet_space"),
                pictures=("teapot", "music"),
            ),
        ),
    ),
    DemoProvider(
        key="wexcombe-farm-days",
        legal_name="Wexcombe Farm Days CIC",
        trading_name="Wexcombe Farm Days",
        description="A care farm on the edge of Thornby.",
        companies_house_number="12567890",
        places=(Place("Wexcombe Farm", "Wexcombe Lane", "Thornby", "LE12 8BU"),),
        offers=(
            Offer(
                name="Farm days",
                category="day-opportunities",
                summary="Spend the day outdoors looking after animals, growing vegetables "
                "and working alongside others.",
                description="Feed the hens and goats, plant and pick vegetables, and mend "
                "fences. Wellies and waterproofs provided. For adults with learning "
                "disabilities or mental health needs.",
                mode="at_venue",
                prices=((6500, "day", ""),),
                hours="mon-thu 09:30-15:00",
                accessibility=("accessible_toilet", "accessible_parking"),
                pictures=("farm",),
            ),
        ),
    ),
    DemoProvider(
        key="harbour-autism-support",
        legal_name="Harbour Autism Support CIC",
        trading_name="Harbour",
        description="Support for autistic young people and adults, planned with them.",
        companies_house_number="13678901",
        places=(Place("Harbour hub", "The Rushes", "Kingsmere", "LE11 8WT"),),
        offers=(
            Offer(
                name="Social group for young adults",
                category="community-activities",
                summary="A relaxed group for autistic people aged 16 to 25 to meet, "
                "play games and plan trips out.",
                description="Small groups of up to eight, with the same two staff each "
                "week. There is always a quiet room to take a break.",
                mode="at_venue",
                prices=((2200, "session", ""),),
                hours="wed 17:00-19:30; sat 11:00-15:00",
                accessibility=("quiet_space", "easy_read"),
                minimum_age=16,
                maximum_age=25,
                pictures=("friendship",),
            ),
        ),
    ),
    # --- Short breaks and respite (regulated) -----------------------------------------
    DemoProvider(
        key="willow-house",
        legal_name="Willow House Short Breaks Ltd",
        trading_name="Willow House",
        description="A six-bedroom house for short stays, with care around the clock.",
        companies_house_number="07789012",
        cqc_provider_id="1-101000005",
        places=(
            Place(
                "Willow House", "Church Lane", "Thornby", "LE12 9NP", cqc_location_id="1-201000005"
            ),
        ),
        offers=(
            Offer(
                name="Overnight short breaks",
                category="short-breaks",
                summary="Stay with us for a night or a week while the people who care for "
                "you have a rest.",
                description="Each guest has their own room. Staff are awake all night. "
                "We plan each stay with you so your routines carry on.",
                mode="at_venue",
                prices=((18500, "day", "24 hours"),),
                hours="mon-sun 00:00-23:59",
                accessibility=("step_free", "accessible_toilet", "changing_places"),
                pictures=("bedroom",),
                cancellation_notice_hours=72,
            ),
            Offer(
                name="Emergency respite",
                category="short-breaks",
                summary="A bed at short notice when your carer is ill or cannot be there.",
                description="Call us any time. We keep one room free for emergencies.",
                mode="at_venue",
                prices=((21000, "day", "24 hours"),),
                hours="mon-sun 00:00-23:59",
                pictures=("bedroom",),
                cancellation_notice_hours=0,
            ),
        ),
    ),
    DemoProvider(
        key="carers-break-sitting",
        legal_name="Carers Break Sitting Service",
        trading_name="",
        description="A charity that gives family carers a few hours off each week.",
        charity_number="1056789",
        cqc_provider_id="1-101000006",
        places=(
            Place(
                "Ashdown base",
                "Nottingham Street",
                "Ashdown",
                "LE13 8TD",
                cqc_location_id="1-201000006",
                radius_miles=15,
            ),
        ),
        offers=(
            Offer(
                name="Sitting service",
                category="short-breaks",
                summary="A trained sitter keeps your loved one company at home while you "
                "take a break.",
                description="Three hours or more, the same sitter each week if you like. "
                "They can make drinks and snacks and help with the toilet.",
                mode="at_home",
                prices=((1900, "hour", ""),),
                hours="mon-sat 09:00-21:00",
                minimum_booking=3,
                pictures=("teapot",),
            ),
        ),
    ),
    # --- Equipment and adaptations --------------------------------------------------
    DemoProvider(
        key="mobility-plus",
        legal_name="Mobility Plus Kingsmere Ltd",
        trading_name="Mobility Plus",
        description="A mobility shop on Market Street selling and hiring equipment.",
        companies_house_number="06890123",
        phone="01509 260600",
        places=(Place("Mobility Plus shop", "31 Market Street", "Kingsmere", "LE11 3BR"),),
        offers=(
            Offer(
                name="Daily living aids",
                category="equipment",
                summary="Grab rails, bath seats, perching stools and other aids that make "
                "everyday tasks easier.",
                description="Come in and try things before you buy. We deliver free within "
                "10 miles and can fit grab rails the same week.",
                mode="at_venue",
                prices=(
                    (1299, "item", "Grab rail"),
                    (2950, "item", "Bath seat"),
                    (3900, "item", "Perching stool"),
                ),
                hours="mon-sat 09:00-17:30",
                accessibility=("step_free", "accessible_parking", "assistance_dogs"),
                pictures=("tools",),
                minimum_age=None,
            ),
            Offer(
                name="Wheelchair hire",
                category="equipment",
                summary="Hire a manual wheelchair by the day or the week, for a holiday or "
                "while you recover.",
                description="Self-propelled and attendant-pushed chairs, with cushions. "
                "We show you how to fold it into a car.",
                mode="at_venue",
                prices=((500, "day", ""), (2000, "week", "")),
                hours="mon-sat 09:00-17:30",
                accessibility=("step_free", "accessible_parking"),
                pictures=("wheelchair",),
                minimum_age=None,
            ),
        ),
    ),
    DemoProvider(
        key="safe-at-home",
        legal_name="Safe at Home Adaptations Ltd",
        trading_name="Safe at Home",
        description="Small adaptations fitted by DBS-checked handypeople.",
        companies_house_number="10901234",
        places=(
            Place("Workshop", "Unit 7, Belton Road", "Kingsmere", "LE11 1BQ", radius_miles=20),
        ),
        offers=(
            Offer(
                name="Minor adaptations fitted",
                category="equipment",
                summary="We fit grab rails, stair rails, door-step ramps and key safes in "
                "your home.",
                description="A fitter visits to measure up, then fits everything in one "
                "visit. Price is for labour; parts are charged at cost.",
                mode="at_home",
                prices=(
                    (4500, "visit", "Labour, up to 2 hours"),
                    (8500, "item", "Key safe, fitted"),
                ),
                hours=WEEKDAYS_9_5,
                pictures=("tools", "home_key"),
            ),
        ),
    ),
    # --- Transport --------------------------------------------------------------------
    DemoProvider(
        key="kingsmere-community-transport",
        legal_name="Kingsmere Community Transport",
        trading_name="",
        description="Minibuses and volunteer drivers for people who cannot use buses.",
        charity_number="1067890",
        phone="01509 240240",
        places=(Place("Depot", "Derby Road", "Kingsmere", "LE11 9UN", radius_miles=12),),
        offers=(
            Offer(
                name="Dial-a-ride minibus",
                category="transport",
                summary="A wheelchair-accessible minibus that picks you up from your door. "
                "Book the day before.",
                description="Trips to the shops, the doctor, the day centre or to see "
                "friends, anywhere in Kingsmere. The driver helps you on and off.",
                mode="at_home",
                prices=(
                    (450, "item", "One journey in Kingsmere"),
                    (900, "item", "One journey to Thornby or further"),
                ),
                hours="mon-sat 08:00-18:00",
                accessibility=("step_free", "assistance_dogs"),
                pictures=("minibus",),
                minimum_age=None,
            ),
        ),
    ),
    DemoProvider(
        key="ashdown-rural-wheels",
        legal_name="Ashdown Rural Wheels",
        trading_name="",
        description="A volunteer car scheme for the villages around Ashdown and Oakley.",
        charity_number="1078901",
        places=(Place("Village hall", "Main Street", "Oakley", "LE15 8AA", radius_miles=20),),
        offers=(
            Offer(
                name="Volunteer car scheme",
                category="transport",
                summary="A volunteer drives you to appointments, shops and clubs in their own car.",
                description="Book three days ahead. The driver waits for you, or comes "
                "back when you are ready.",
                mode="at_home",
                prices=(
                    (500, "item", "Journey up to 10 miles"),
                    (900, "item", "Journey up to 20 miles"),
                ),
                hours="mon-fri 08:00-18:00",
                pictures=("minibus",),
                minimum_age=None,
            ),
        ),
    ),
    # --- Health and fitness -----------------------------------------------------------
    DemoProvider(
        key="kingsmere-leisure",
        legal_name="Kingsmere Leisure Trust",
        trading_name="Kingsmere Leisure Centre",
        description="The town's leisure centre: pools, gym and studios.",
        charity_number="1089012",
        phone="01509 290290",
        places=(Place("Leisure centre", "Browns Lane", "Kingsmere", "LE11 2NZ"),),
        offers=(
            Offer(
                name="Swimming for all",
                category="health-fitness",
                summary="Quiet swimming sessions in a warm pool, with a hoist and a "
                "lifeguard to help you in and out.",
                description="The pool is kept at 30 degrees. There is a hoist, a ramp and "
                "a Changing Places room. A carer swims free.",
                mode="at_venue",
                prices=((380, "session", ""),),
                hours="mon 10:00-11:00; wed 10:00-11:00; fri 14:00-15:00; sun 08:00-09:00",
                accessibility=(
                    "step_free",
                    "changing_places",
                    "accessible_parking",
                    "hearing_loop",
                ),
                pictures=("pool",),
                minimum_age=None,
            ),
            Offer(
                name="Accessible gym sessions",
                category="health-fitness",
                summary="Gym sessions with an instructor who plans exercises that work for "
                "your body.",
                description="The gym has equipment you can use from a wheelchair. Your "
                "first session includes a chat about what you want to achieve.",
                mode="at_venue",
                prices=((420, "session", ""), (3500, "item", "Ten sessions")),
                hours="mon-fri 07:00-21:00; sat-sun 08:00-18:00",
                accessibility=("step_free", "changing_places", "accessible_parking"),
                pictures=("gym",),
                minimum_age=16,
            ),
            Offer(
                name="Hydrotherapy",
                category="health-fitness",
                summary="Exercise in a very warm, shallow pool to ease pain and stiff joints.",
                description="Sessions of 30 minutes, on your own or with a physiotherapist.",
                mode="at_venue",
                prices=((1200, "session", ""),),
                hours="tue 13:00-16:00; thu 13:00-16:00",
                accessibility=("step_free", "changing_places"),
                pictures=("pool",),
            ),
        ),
    ),
    DemoProvider(
        key="oakley-pool",
        legal_name="Oakley Pool and Fitness Ltd",
        trading_name="Oakley Pool",
        description="A small community pool and gym.",
        companies_house_number="11012345",
        places=(Place("Oakley Pool", "Station Road", "Oakley", "LE15 2FG"),),
        offers=(
            Offer(
                name="Over-55s swim and social",
                category="health-fitness",
                summary="A gentle swim followed by tea and cake in the cafe.",
                description="Lanes for slower swimmers and a shallow end for walking.",
                mode="at_venue",
                prices=((350, "session", ""),),
                hours="tue 10:00-11:30; fri 10:00-11:30",
                accessibility=("step_free", "accessible_toilet"),
                pictures=("pool", "teapot"),
                minimum_age=55,
            ),
        ),
    ),
    DemoProvider(
        key="chair-fit-online",
        legal_name="Chair Fit Online CIC",
        trading_name="Chair Fit",
        description="Seated exercise classes, live online.",
        companies_house_number="12123456",
        places=(),
        offers=(
            Offer(
                name="Online chair exercise",
                category="health-fitness",
                summary="Live seated exercise classes you join from home on a computer, "
                "tablet or phone.",
                description="Half-hour classes to music. The instructor can see you (if "
                "you like) and shows an easier way to do every move.",
                mode="online",
                place=None,
                prices=((300, "session", ""), (1000, "week", "Every class that week")),
                hours="mon-fri 10:00-10:30; mon-fri 14:00-14:30",
                accessibility=("bsl",),
                languages=("en", "sgn"),
                pictures=("video_call",),
            ),
        ),
    ),
    DemoProvider(
        key="riverside-health-walks",
        legal_name="Riverside Health Walks",
        trading_name="",
        description="Short, led walks for people building up their fitness.",
        charity_number="1090123",
        places=(Place("Meeting point", "Queens Park", "Kingsmere", "LE11 2WU"),),
        offers=(
            Offer(
                name="Led health walks",
                category="health-fitness",
                summary="Walks of 30 to 60 minutes on flat paths, with a trained walk "
                "leader and time to chat.",
                description="Meet at the park bandstand. Walks go at the pace of the "
                "slowest walker.",
                mode="at_venue",
                prices=((100, "session", "Suggested donation"),),
                hours="tue 10:00-11:00; sat 10:00-11:00",
                accessibility=("step_free", "assistance_dogs"),
                pictures=("walk", "bench"),
            ),
        ),
    ),
    # --- Community activities -------------------------------------------------------
    DemoProvider(
        key="open-studio-arts",
        legal_name="Open Studio Arts CIC",
        trading_name="Open Studio",
        description="An art studio open to everyone, whatever their experience.",
        companies_house_number="13234567",
        places=(Place("Open Studio", "The Old Fire Station", "Kingsmere", "LE11 7FG"),),
        offers=(
            Offer(
                name="Painting and drawing class",
                category="community-activities",
                summary="A friendly art class for beginners. All materials are provided.",
                description="Try watercolour, pastels and acrylics. Each week there is a "
                "different theme, and time to work on your own ideas.",
                mode="at_venue",
                prices=((800, "session", ""),),
                hours="mon 13:30-15:30; thu 18:00-20:00",
                accessibility=("step_free", "accessible_toilet", "large_print"),
                pictures=("palette",),
            ),
            Offer(
                name="Pottery for beginners",
                category="community-activities",
                summary="Make bowls, mugs and pots by hand and on the wheel.",
                description="Six-week courses. We fire and glaze what you make.",
                mode="at_venue",
                prices=((1200, "session", ""),),
                hours="wed 10:00-12:00",
                accessibility=("step_free",),
                pictures=("palette",),
            ),
            Offer(
                name="Life drawing",
                category="community-activities",
                summary="Drawing from a model, with gentle guidance.",
                description="Not yet running: dates to follow.",
                mode="at_venue",
                prices=((1000, "session", ""),),
                hours="fri 18:30-20:30",
                pictures=("palette",),
                publish=False,
            ),
        ),
    ),
    DemoProvider(
        key="ashdown-music-makers",
        legal_name="Ashdown Music Makers",
        trading_name="",
        description="Music groups for everyone; no experience needed.",
        charity_number="1101234",
        places=(Place("Methodist hall", "King Street", "Ashdown", "LE13 8EN"),),
        offers=(
            Offer(
                name="Community choir",
                category="community-activities",
                summary="Sing popular songs together. No auditions and no need to read music.",
                description="Words are printed large. Tea and biscuits at half time.",
                mode="at_venue",
                prices=((300, "session", ""),),
                hours="tue 19:00-20:30",
                accessibility=("step_free", "hearing_loop", "large_print"),
                pictures=("music",),
            ),
            Offer(
                name="Drumming group",
                category="community-activities",
                summary="Learn rhythms on African drums in a lively, welcoming group.",
                description="Drums provided. Good for people who find talking hard.",
                mode="at_venue",
                prices=((500, "session", ""),),
                hours="sat 14:00-15:30",
                accessibility=("step_free",),
                pictures=("music",),
                minimum_age=12,
            ),
        ),
    ),
    DemoProvider(
        key="thornby-growing-together",
        legal_name="Thornby Growing Together",
        trading_name="",
        description="A community garden and allotments, run by volunteers.",
        charity_number="1112345",
        places=(Place("Community garden", "Mill Lane", "Thornby", "LE12 7GT"),),
        offers=(
            Offer(
                name="Community gardening group",
                category="community-activities",
                summary="Grow flowers and vegetables with others in raised beds you can "
                "reach from a chair.",
                description="Tools, gloves and tea provided. Take home what you grow.",
                mode="at_venue",
                prices=((200, "session", ""),),
                hours="wed 10:00-12:30; sat 10:00-12:30",
                accessibility=("step_free", "accessible_toilet", "accessible_parking"),
                pictures=("garden",),
            ),
        ),
    ),
    DemoProvider(
        key="green-fingers-ashdown",
        legal_name="Green Fingers Ashdown Ltd",
        trading_name="Green Fingers",
        description="Gardeners who help you keep your garden the way you like it.",
        companies_house_number="14345678",
        places=(Place("Yard", "Leicester Road", "Ashdown", "LE13 5NX", radius_miles=10),),
        offers=(
            Offer(
                name="Garden help at home",
                category="housing-support",
                summary="A gardener visits to mow, weed and prune, and to help you keep "
                "gardening yourself.",
                description="Regular visits every week or fortnight, or a one-off tidy.",
                mode="at_home",
                prices=((1800, "hour", ""),),
                hours="mon-fri 08:00-16:00",
                pictures=("garden",),
                minimum_booking=2,
            ),
        ),
    ),
    DemoProvider(
        key="kingsmere-befriending",
        legal_name="Kingsmere Befriending Network",
        trading_name="",
        description="Volunteers who visit and call people who are lonely.",
        charity_number="1123457",
        places=(Place("Office", "Baxter Gate", "Kingsmere", "LE11 9QS", radius_miles=10),),
        offers=(
            Offer(
                name="Home visiting befriender",
                category="community-activities",
                summary="A friendly volunteer visits you for a chat and a cup of tea once a week.",
                description="We match you with someone who shares your interests. They can "
                "also go with you to a cafe or the library.",
                mode="at_home",
                prices=((600, "visit", "Towards volunteer expenses"),),
                hours="mon-sat 10:00-18:00",
                languages=("en", "pl", "ro"),
                pictures=("teapot", "friendship"),
            ),
            Offer(
                name="Telephone friendship calls",
                category="community-activities",
                summary="A regular phone call with the same friendly volunteer.",
                description="Calls of about half an hour, once or twice a week.",
                mode="online",
                place=None,
                prices=((500, "week", ""),),
                hours="mon-sun 10:00-20:00",
                languages=("en", "pl"),
                pictures=("friendship",),
            ),
        ),
    ),
    DemoProvider(
        key="silver-threads",
        legal_name="Silver Threads Lunch and Friendship Club",
        trading_name="Silver Threads",
        description="A lunch club and friendship group in Ashdown.",
        charity_number="1134567",
        places=(Place("St Mary's hall", "Burton Street", "Ashdown", "LE13 8FR"),),
        offers=(
            Offer(
                name="Friday lunch club",
                category="community-activities",
                summary="A home-cooked lunch, a raffle and a sing-song every Friday.",
                description="Transport can be arranged with Ashdown Rural Wheels.",
                mode="at_venue",
                prices=((650, "session", ""),),
                hours="fri 11:30-14:30",
                accessibility=("step_free", "accessible_toilet", "hearing_loop"),
                pictures=("teapot",),
                minimum_age=60,
            ),
        ),
    ),
    # --- Learning and work ------------------------------------------------------------
    DemoProvider(
        key="stepping-stones",
        legal_name="Stepping Stones to Work CIC",
        trading_name="Stepping Stones",
        description="Job coaching and supported work for disabled people.",
        companies_house_number="15456789",
        places=(Place("Stepping Stones", "Granby Street", "Kingsmere", "LE11 3BR"),),
        offers=(
            Offer(
                name="Job coaching",
                category="learning-work",
                summary="A job coach helps you find work you will enjoy, and supports you "
                "in your first weeks.",
                description="We help with CVs, applications, interviews and travel, and "
                "talk to employers about adjustments.",
                mode="at_venue",
                prices=((2800, "hour", ""),),
                hours=WEEKDAYS_9_5,
                accessibility=("step_free", "easy_read"),
                pictures=("work",),
                minimum_age=16,
            ),
            Offer(
                name="Supported internship",
                category="learning-work",
                summary="A year-long work placement with a job coach, for people aged 16 "
                "to 24 with an EHC plan.",
                description="Three days a week with a local employer, one day of learning.",
                mode="at_venue",
                prices=((24000, "week", ""),),
                hours="mon-thu 09:00-15:00",
                pictures=("work", "books"),
                minimum_age=16,
                maximum_age=24,
            ),
        ),
    ),
    DemoProvider(
        key="kingsmere-adult-learning",
        legal_name="Kingsmere Adult Learning Partnership",
        trading_name="Kingsmere Adult Learning",
        description="Short courses for adults in the library and online.",
        charity_number="1145678",
        places=(Place("Central library", "Granby Street", "Kingsmere", "LE11 7WX"),),
        offers=(
            Offer(
                name="Cooking on a budget",
                category="learning-work",
                summary="Learn to cook simple, healthy meals for less, and take home what "
                "you make.",
                description="Five weekly sessions in the library's teaching kitchen.",
                mode="at_venue",
                prices=((600, "session", ""),),
                hours="mon 10:00-12:00",
                accessibility=("step_free", "easy_read"),
                pictures=("books",),
            ),
            Offer(
                name="Computer basics online",
                category="learning-work",
                summary="Learn to use email, video calls and online shopping, step by step.",
                description="Small online classes with a tutor. We can lend you a tablet.",
                mode="online",
                place=None,
                prices=((500, "session", ""),),
                hours="thu 14:00-15:30",
                accessibility=("large_print",),
                pictures=("video_call",),
            ),
        ),
    ),
    # --- Housing support, advice and advocacy ---------------------------------------
    DemoProvider(
        key="homewise",
        legal_name="Homewise Tenancy Support Ltd",
        trading_name="Homewise",
        description="Help to set up and keep a home of your own.",
        companies_house_number="16567890",
        places=(Place("Homewise", "Devonshire Square", "Kingsmere", "LE11 7UD", radius_miles=15),),
        offers=(
            Offer(
                name="Tenancy support visits",
                category="housing-support",
                summary="A support worker helps with bills, letters, benefits and keeping "
                "your home, so your tenancy stays safe.",
                description="Visits at home or in town, weekly or as often as you need.",
                mode="at_home",
                prices=((2600, "hour", ""),),
                hours=WEEKDAYS_9_5,
                pictures=("home_key",),
            ),
        ),
    ),
    DemoProvider(
        key="speak-up-advocacy",
        legal_name="Speak Up Advocacy",
        trading_name="",
        description="Independent advocacy, so people are heard in decisions about their care.",
        charity_number="1156789",
        places=(Place("Speak Up", "Swan Street", "Kingsmere", "LE11 9ZD", radius_miles=30),),
        offers=(
            Offer(
                name="Independent advocacy",
                category="advice-advocacy",
                summary="An advocate helps you say what you want at care reviews and "
                "meetings, and makes sure you are listened to.",
                description="In person, by video or on the phone. Easy read and British "
                "Sign Language interpreters available.",
                mode="at_venue",
                prices=((3200, "hour", ""),),
                hours=WEEKDAYS_9_5,
                accessibility=("step_free", "bsl", "easy_read", "hearing_loop"),
                languages=("en", "sgn"),
                pictures=("friendship",),
            ),
        ),
    ),
    # --- In the platform's vetting queue --------------------------------------------
    DemoProvider(
        key="fresh-start-care",
        legal_name="Fresh Start Care Services Ltd",
        trading_name="Fresh Start Care",
        description="A new home care agency in Kingsmere.",
        companies_house_number="17678901",
        cqc_provider_id="1-101000007",
        places=(Place("Office", "Nottingham Road", "Kingsmere", "LE11 1QB"),),
        offers=(
            Offer(
                name="Home care",
                category="home-care",
                summary="Help at home with personal care and meals.",
                description="Visits from 30 minutes, seven days a week.",
                mode="at_home",
                prices=((2200, "hour", ""),),
                hours=CARE_HOURS,
                pictures=("house",),
                publish=False,
            ),
        ),
        vetting="applied",
    ),
    DemoProvider(
        key="paws-for-thought",
        legal_name="Paws for Thought Therapy Dogs CIC",
        trading_name="Paws for Thought",
        description="Calm, trained dogs who visit people at home and in day centres.",
        companies_house_number="18789012",
        places=(Place("Office", "Forest Road", "Ashdown", "LE13 2ES", radius_miles=20),),
        offers=(
            Offer(
                name="Therapy dog visits",
                category="community-activities",
                summary="A volunteer and their gentle dog visit you for an hour.",
                description="All dogs are assessed and insured.",
                mode="at_home",
                prices=((1500, "visit", ""),),
                hours="mon-fri 10:00-16:00",
                pictures=("friendship",),
            ),
        ),
        vetting="under_review",
    ),
)

CQC_RATINGS: tuple[CqcRating, ...] = (
    CqcRating(
        "1-201000001",
        "1-101000001",
        "Kingsmere Home Care",
        "LE11 3BJ",
        "Good",
        dt.date(2025, 3, 12),
        ("Homecare agencies",),
        {"caring": "Outstanding"},
    ),
    CqcRating(
        "1-201000002",
        "1-101000002",
        "Bright Days - Thornby",
        "LE12 6AR",
        "Outstanding",
        dt.date(2024, 11, 4),
        ("Homecare agencies",),
        {"safe": "Good"},
    ),
    CqcRating(
        "1-201000003",
        "1-101000003",
        "Ashdown Community Care",
        "LE13 1ZB",
        "Requires improvement",
        dt.date(2025, 6, 20),
        ("Homecare agencies",),
        {"caring": "Good", "responsive": "Good"},
    ),
    CqcRating(
        "1-201000004",
        "1-101000004",
        "Oakley Homecare",
        "LE15 6QX",
        "Good",
        dt.date(2023, 9, 1),
        ("Homecare agencies",),
    ),
    CqcRating(
        "1-201000005",
        "1-101000005",
        "Willow House",
        "LE12 9NP",
        "Good",
        dt.date(2025, 1, 28),
        ("Care home service without nursing",),
        {"well_led": "Requires improvement"},
    ),
    CqcRating(
        "1-201000006",
        "1-101000006",
        "Carers Break Sitting Service",
        "LE13 8TD",
        "Outstanding",
        dt.date(2024, 5, 15),
        ("Homecare agencies",),
        {"effective": "Good", "safe": "Good"},
    ),
)

_KINGSMERE_LOCAL = (
    "kingsmere-home-care",
    "bright-days-care",
    "your-way-pa",
    "independent-lives",
    "maltings-day-centre",
    "wexcombe-farm-days",
    "harbour-autism-support",
    "willow-house",
    "mobility-plus",
    "safe-at-home",
    "kingsmere-community-transport",
    "kingsmere-leisure",
    "chair-fit-online",
    "riverside-health-walks",
    "open-studio-arts",
    "thornby-growing-together",
    "kingsmere-befriending",
    "stepping-stones",
    "kingsmere-adult-learning",
    "homewise",
    "speak-up-advocacy",
)
COUNCILS: tuple[CouncilChoices, ...] = (
    CouncilChoices(
        slug="kingsmere",
        approves=(*_KINGSMERE_LOCAL, "ashdown-music-makers"),
        leaves_out=(("open-studio-arts", "Pottery for beginners"),),
    ),
    CouncilChoices(
        slug="ashdown",
        approves=(
            "ashdown-community-care",
            "oakley-homecare",
            "ashdown-friendship-centre",
            "carers-break-sitting",
            "ashdown-rural-wheels",
            "oakley-pool",
            "ashdown-music-makers",
            "green-fingers-ashdown",
            "silver-threads",
            "chair-fit-online",
            "mobility-plus",
            "independent-lives",
            "speak-up-advocacy",
            "kingsmere-leisure",
        ),
        leaves_out=(("kingsmere-leisure", "Accessible gym sessions"),),
        agreed_prices={("oakley-homecare", "Help at home in Oakley"): 2150},
        suspended={
            "bright-days-care": "Paused while the council looks into a complaint about "
            "missed visits. People already using Bright Days are not affected.",
        },
    ),
    CouncilChoices(
        slug="riverside",
        approves=(
            "kingsmere-home-care",
            "mobility-plus",
            "safe-at-home",
            "riverside-health-walks",
            "chair-fit-online",
            "willow-house",
        ),
        leaves_out=(("willow-house", "Emergency respite"),),
    ),
)

REVIEWS: tuple[DemoReview, ...] = (
    DemoReview(
        "kingsmere",
        "kingsmere-home-care",
        "Home care visits",
        "person",
        5,
        "Carol and Jas come every morning and are always cheerful. They never rush "
        "me and they remember how I like my tea.",
        published=True,
        reply="Thank you, Margaret. We will pass this on to Carol and Jas.",
    ),
    DemoReview(
        "kingsmere",
        "maltings-day-centre",
        "Day centre",
        "carer",
        4,
        "Mum looks forward to Tuesdays. The lunches are good; the minibus is sometimes late.",
        published=True,
        on_behalf_of="person",
    ),
    DemoReview(
        "kingsmere",
        "kingsmere-community-transport",
        "Dial-a-ride minibus",
        "person",
        5,
        "The drivers are patient and help me with my shopping bags.",
        published=True,
    ),
    DemoReview(
        "kingsmere",
        "kingsmere-leisure",
        "Swimming for all",
        "person",
        4,
        "Warm water and a hoist that works. The changing room gets busy.",
        published=False,
    ),
    DemoReview(
        "kingsmere",
        "open-studio-arts",
        "Painting and drawing class",
        "carer",
        3,
        "Friendly, but the room was cold in January.",
        published=False,
        on_behalf_of="person",
    ),
    DemoReview(
        "ashdown",
        "ashdown-friendship-centre",
        "Dementia-friendly day care",
        "person",
        5,
        "Dad is calmer on the days he goes. The staff know him well.",
        published=True,
    ),
    DemoReview(
        "ashdown",
        "ashdown-community-care",
        "Care at home in your language",
        "carer",
        2,
        "Kind carers, but the visit times change too often.",
        published=True,
        on_behalf_of="person",
        reply="We are sorry. We have given you a named coordinator to keep your "
        "visits at the same times.",
    ),
    DemoReview(
        "ashdown",
        "chair-fit-online",
        "Online chair exercise",
        "person",
        5,
        "Easy to join and the instructor is lovely.",
        published=False,
    ),
)
