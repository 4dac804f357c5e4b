"""Reviews of services: written by budget holders (or their representatives) in their
council, moderated by that council, answered by the provider. Reviews live in the
council's schema; a provider, signed in on the platform's host, replies into it."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.permissions import REVIEWS_MODERATE, REVIEWS_WRITE, user_has_permission
from core.errors import DomainError, ValidationFailed
from core.services import SYSTEM, Origin, audit_record
from epurse.db import PUBLIC_SCHEMA, current_schema
from tenants.models import Tenant
from tenants.selectors import tenant_list

from ..models import Provider, Service
from ..selectors import services_visible
from .models import Review

COMMENT_MAX_LENGTH = 2000
REPLY_MAX_LENGTH = 2000
# Councils whose residents' reviews a provider sees and answers.
LIVE_COUNCILS = (Tenant.Status.ACTIVE, Tenant.Status.TRIAL)
# Representatives act for budget holders; budget holders order for themselves.
_ACTS_FOR_OTHERS = "orders.place_represented"
_ORDERS_OWN = "orders.place_own"


class ReviewNotFound(DomainError):
    status = 404
    code = "not_found"
    title = "Not found"


class NotAllowed(DomainError):
    status = 403
    code = "permission_denied"
    title = "You do not have permission to do this"


def _in_council() -> None:
    if current_schema() == PUBLIC_SCHEMA:
        raise DomainError("Reviews belong to a council: use the council's own site")


def _has_ordered(*, service: Service, person: User) -> bool:
    return True  # The e-purse supplies orders; until then anyone may review (demo data).


def _acts_for(*, representative: User, person: User) -> bool:
    # The e-purse supplies who represents whom; until then any representative may write
    # for any budget holder of the same council.
    return user_has_permission(representative, _ACTS_FOR_OTHERS) and user_has_permission(
        person, _ORDERS_OWN
    )


def _fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, field_errors={field: [message]})


def review_submit(
    *,
    service: Service,
    author: User,
    rating: int,
    comment: str,
    on_behalf_of: User | None = None,
    origin: Origin = SYSTEM,
) -> Review:
    """Rate a service this council offers. One review per person per service (a
    representative's review on someone's behalf counts as that person's). Reviews wait
    for the council's moderation before anyone else sees them."""
    _in_council()
    if not user_has_permission(author, REVIEWS_WRITE):
        raise NotAllowed("Only people who use services, and their representatives, write reviews")
    if not services_visible().filter(pk=service.pk).exists():
        raise ReviewNotFound("This service is not offered here")
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise _fail("rating", "Give a rating from 1 (poor) to 5 (excellent)")
    comment = comment.strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise _fail("comment", f"Write {COMMENT_MAX_LENGTH} characters or fewer")
    if on_behalf_of is not None:
        if on_behalf_of.pk == author.pk:
            on_behalf_of = None
        elif not on_behalf_of.is_active or not _acts_for(
            representative=author, person=on_behalf_of
        ):
            raise _fail("on_behalf_of", "You can only write a review for someone you act for")
    person = on_behalf_of or author
    if not _has_ordered(service=service, person=person):
        raise DomainError("You can review a service once you have ordered it")
    duplicate = _fail(
        "service",
        "There is already a review of this service for "
        + ("this person" if on_behalf_of else "you")
        + ": each person reviews a service once",
    )
    try:
        with transaction.atomic():
            # Lock the person so two reviews for them cannot both pass the check below.
            User.objects.select_for_update().get(pk=person.pk)
            already = Review.objects.filter(service_id=service.pk).filter(
                Q(on_behalf_of=person) | Q(author=person, on_behalf_of__isnull=True)
            )
            if already.exists():
                raise duplicate
            review = Review.objects.create(
                service_id=service.pk,
                author=author,
                on_behalf_of=on_behalf_of,
                rating=rating,
                comment=comment,
            )
            audit_record(
                action="review.submitted",
                actor=author,
                acting_for_id=on_behalf_of.public_id if on_behalf_of else None,
                acting_for_label=on_behalf_of.email if on_behalf_of else "",
                obj=review,
                origin=origin,
                detail={"service": str(service.pk), "rating": rating},
            )
    except IntegrityError as exc:  # the unique constraint, should the lock be bypassed
        raise duplicate from exc
    return review


def review_moderate(
    *, review: Review, publish: bool, reason: str, by: User, origin: Origin = SYSTEM
) -> Review:
    """Publish a review, or keep it unpublished with a reason (kept for the record).
    A decision can be changed later, e.g. after a complaint."""
    _in_council()
    if not user_has_permission(by, REVIEWS_MODERATE):
        raise NotAllowed("Only the council's moderators decide which reviews are published")
    reason = reason.strip()
    if not publish and not reason:
        raise _fail("reason", "Say why the review is not published")
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review.pk)
        previous = review.status
        review.status = Review.Status.PUBLISHED if publish else Review.Status.REJECTED
        review.moderation_reason = reason
        review.moderated_by = by
        review.moderated_at = timezone.now()
        review.save(update_fields=["status", "moderation_reason", "moderated_by", "moderated_at"])
        audit_record(
            action="review.moderated",
            actor=by,
            obj=review,
            origin=origin,
            detail={"from": previous, "to": review.status, "reason": reason},
        )
    return review


def review_reply(
    *, review: Review, provider: Provider, reply: str, by: Any, origin: Origin = SYSTEM
) -> Review:
    """The provider answers a published review of one of its services (a new reply
    replaces the old). Runs in the council's schema; `by` is the provider's member,
    a user of the platform's schema, so the audit entry names them by label."""
    _in_council()
    if review.service.provider_id != provider.pk or review.status != Review.Status.PUBLISHED:
        raise ReviewNotFound("There is no such published review of your services")
    reply = reply.strip()
    if not reply:
        raise _fail("reply", "Write your reply")
    if len(reply) > REPLY_MAX_LENGTH:
        raise _fail("reply", f"Write {REPLY_MAX_LENGTH} characters or fewer")
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review.pk)
        replaced = bool(review.provider_reply)
        review.provider_reply = reply
        review.replied_at = timezone.now()
        review.save(update_fields=["provider_reply", "replied_at"])
        audit_record(
            action="review.replied",
            actor=by,
            obj=review,
            origin=origin,
            detail={"provider": str(provider.pk), "replaced": replaced},
        )
    return review


def council_review_reply(
    *,
    council: str,
    review_id: int,
    provider: Provider,
    reply: str,
    by: Any,
    origin: Origin = SYSTEM,
) -> tuple[Tenant, Review]:
    """Reply from the platform's host: find the council (by slug) and the review in
    its schema, then write the reply there. Review ids are per council, hence both."""
    tenant = tenant_list().filter(schema_name=council, status__in=LIVE_COUNCILS).first()
    if tenant is None:
        raise _fail("council", f"There is no council called '{council}'")
    with schema_context(tenant.schema_name):
        review = Review.objects.select_related("service").filter(pk=review_id).first()
        if review is None:
            raise ReviewNotFound("There is no such published review of your services")
        return tenant, review_reply(
            review=review, provider=provider, reply=reply, by=by, origin=origin
        )
