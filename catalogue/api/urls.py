"""The catalogue's JSON API, under /api/catalogue/ on every host. Search, services,
pictures and categories exist on every host; the provider portal and vetting only on
the platform's host; approvals, alerts and reviews only on a council's host (elsewhere
they answer 404)."""

from django.urls import path

from . import council, portal, search, vetting

urlpatterns = [
    # Every host
    path("categories/", search.CategoryList.as_view(), name="catalogue-category-list"),
    path("services/", search.ServiceSearch.as_view(), name="catalogue-service-search"),
    path("services/<uuid:id>/", search.ServiceDetail.as_view(), name="catalogue-service"),
    path("images/<uuid:id>/", search.ServiceImageFile.as_view(), name="catalogue-image"),
    # A council's host
    path(
        "services/<uuid:id>/reviews/",
        council.ServiceReviewList.as_view(),
        name="catalogue-service-reviews",
    ),
    path("reviews/", council.ReviewModerationList.as_view(), name="catalogue-review-list"),
    path(
        "reviews/<int:id>/moderation/",
        council.ReviewModerate.as_view(),
        name="catalogue-review-moderate",
    ),
    path(
        "approvals/providers/",
        council.ApprovalProviderList.as_view(),
        name="catalogue-approval-provider-list",
    ),
    path(
        "approvals/providers/<uuid:id>/",
        council.ApprovalProviderSet.as_view(),
        name="catalogue-approval-provider",
    ),
    path(
        "approvals/services/",
        council.ApprovalServiceList.as_view(),
        name="catalogue-approval-service-list",
    ),
    path(
        "approvals/services/<uuid:id>/",
        council.ApprovalServiceSet.as_view(),
        name="catalogue-approval-service",
    ),
    path("rating-alerts/", council.RatingAlertList.as_view(), name="catalogue-rating-alert-list"),
    path(
        "rating-alerts/<int:id>/acknowledge/",
        council.RatingAlertAcknowledge.as_view(),
        name="catalogue-rating-alert-acknowledge",
    ),
    # The platform's host: the provider portal
    path("providers/", portal.ProviderRegister.as_view(), name="catalogue-provider-register"),
    path("provider/", portal.ProviderMe.as_view(), name="catalogue-provider"),
    path("provider/councils/", portal.ProviderCouncils.as_view(), name="catalogue-councils"),
    path("provider/documents/", portal.DocumentList.as_view(), name="catalogue-document-list"),
    path(
        "provider/documents/<uuid:id>/file/",
        portal.DocumentFile.as_view(),
        name="catalogue-document-file",
    ),
    path("provider/locations/", portal.LocationList.as_view(), name="catalogue-location-list"),
    path(
        "provider/locations/<uuid:id>/",
        portal.LocationDetail.as_view(),
        name="catalogue-location",
    ),
    path("provider/services/", portal.ServiceList.as_view(), name="catalogue-own-service-list"),
    path(
        "provider/services/<uuid:id>/",
        portal.ServiceDetail.as_view(),
        name="catalogue-own-service",
    ),
    path(
        "provider/services/<uuid:id>/publish/",
        portal.ServicePublish.as_view(),
        name="catalogue-own-service-publish",
    ),
    path(
        "provider/services/<uuid:id>/withdraw/",
        portal.ServiceWithdraw.as_view(),
        name="catalogue-own-service-withdraw",
    ),
    path(
        "provider/services/<uuid:id>/images/",
        portal.ServiceImageAdd.as_view(),
        name="catalogue-own-service-images",
    ),
    path(
        "provider/images/<uuid:id>/",
        portal.ServiceImageRemove.as_view(),
        name="catalogue-own-image",
    ),
    path("provider/reviews/", portal.ProviderReviewList.as_view(), name="catalogue-own-reviews"),
    path(
        "provider/review-replies/",
        portal.ProviderReviewReply.as_view(),
        name="catalogue-own-review-replies",
    ),
    # The platform's host: vetting by the platform's operators
    path(
        "vetting/providers/",
        vetting.VettingProviderList.as_view(),
        name="catalogue-vetting-provider-list",
    ),
    path(
        "vetting/providers/<uuid:id>/",
        vetting.VettingProviderDetail.as_view(),
        name="catalogue-vetting-provider",
    ),
    path(
        "vetting/providers/<uuid:id>/status/",
        vetting.VettingProviderStatus.as_view(),
        name="catalogue-vetting-provider-status",
    ),
    path(
        "vetting/documents/<uuid:id>/file/",
        vetting.VettingDocumentFile.as_view(),
        name="catalogue-vetting-document-file",
    ),
    path(
        "vetting/documents/<uuid:id>/review/",
        vetting.VettingDocumentReview.as_view(),
        name="catalogue-vetting-document-review",
    ),
]
