"""The administration section, under /workspace/administration/."""

from django.urls import path

from . import billing, home, notifications, providers, rules, users

urlpatterns = [
    path("", home.index, name="administration"),
    # Users and roles
    path("users/", users.user_list, name="administration-users"),
    path("users/invite/", users.user_invite, name="administration-user-invite"),
    path("users/<uuid:user_id>/roles/", users.user_roles, name="administration-user-roles"),
    path(
        "users/<uuid:user_id>/deactivate/",
        users.user_deactivate,
        name="administration-user-deactivate",
    ),
    path(
        "users/<uuid:user_id>/invite-again/",
        users.user_reinvite,
        name="administration-user-reinvite",
    ),
    # Budget rules
    path("rules/", rules.version_list, name="administration-rules"),
    path("rules/<int:number>/", rules.version_detail, name="administration-rules-version"),
    path("rules/<int:number>/new-draft/", rules.draft_new, name="administration-rules-draft"),
    path("rules/<int:number>/settings/", rules.draft_edit, name="administration-rules-edit"),
    path("rules/<int:number>/preview/", rules.draft_preview, name="administration-rules-preview"),
    path("rules/<int:number>/publish/", rules.draft_publish, name="administration-rules-publish"),
    # Providers in the area
    path("providers/", providers.provider_queue, name="administration-providers"),
    path(
        "providers/<uuid:provider_id>/", providers.provider_detail, name="administration-provider"
    ),
    path(
        "providers/<uuid:provider_id>/decision/",
        providers.provider_decide,
        name="administration-provider-decide",
    ),
    path(
        "services/waiting/",
        providers.services_waiting,
        name="administration-services-waiting",
    ),
    path(
        "services/<uuid:service_id>/decision/",
        providers.service_decide,
        name="administration-service-decide",
    ),
    path("cqc-alerts/", providers.alert_list, name="administration-alerts"),
    path(
        "cqc-alerts/<int:alert_id>/seen/",
        providers.alert_acknowledge,
        name="administration-alert-acknowledge",
    ),
    path("reviews/", providers.review_list, name="administration-reviews"),
    path("reviews/<int:review_id>/", providers.review_moderate, name="administration-review"),
    # Notifications
    path("notifications/", notifications.settings_edit, name="administration-notifications"),
    # The council's licence
    path("billing/", billing.billing, name="administration-billing"),
    path(
        "billing/invoices/<uuid:invoice_id>.<str:kind>",
        billing.invoice_download,
        name="administration-billing-invoice",
    ),
]
